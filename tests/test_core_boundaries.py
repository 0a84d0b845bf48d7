"""The architecture rule: the core imports neither Textual nor OpenAI, and offline grading opens no socket."""

import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE_MODULES = sorted(
    f"interviewer.{p.stem}" for p in (ROOT / "interviewer").glob("*.py") if p.stem not in ("__main__",)
) + ["interviewer.batch", "interviewer.commands"]
# Modules that exist to talk to an LLM server; everything else is core.
ADAPTERS = {"interviewer.grading.llm.adapter"}


def test_core_imports_no_textual_openai_or_tiktoken():
    modules = [m for m in CORE_MODULES if m not in ADAPTERS]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    try:\n        importlib.import_module(name)\n"
        "    except ModuleNotFoundError as error:\n"
        "        if error.name != name: raise\n"
        "print(sorted(m for m in ('textual', 'openai', 'tiktoken') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_importing_the_core_has_no_side_effects(tmp_path):
    home = tmp_path / "home"
    code = f"import interviewer.bank, interviewer.settings, interviewer.transcript; print('ok')"
    env = {"PATH": "/usr/bin:/bin", "INTERVIEWER_HOME": str(home), "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env | {"PYTHONPATH": str(ROOT)}, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr
    assert not home.exists()
    assert list(tmp_path.iterdir()) == []


class NoNetwork(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise NoNetwork(f"network use attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


async def test_offline_grading_opens_no_connection(no_network, tmp_path):
    from interviewer.bank import open_bank
    from interviewer.grading.interface import GradingItem
    from interviewer.grading.choose import make_grader
    from interviewer.settings import Settings

    settings = Settings(home=tmp_path)  # no key: auto mode is offline
    assert settings.mode == "offline"
    loaded_before = set(sys.modules)
    grader = make_grader(settings, "auto")
    question = open_bank(None, settings).get("dl-021")
    item = GradingItem(question.question, "Dropout randomly zeroes neurons during training to prevent overfitting.",
                       question.reference, question.key_points)
    grade = await grader.grade(item)
    assert grade.score is not None and grade.score > 0 and grade.grader == "offline"
    # Whatever other tests imported before, offline grading itself loads nothing of the LLM path
    # (a cold interpreter is checked in test_offline_cli_path_imports_no_openai).
    loaded = set(sys.modules) - loaded_before
    assert not {m for m in loaded if m.split(".")[0] in ("openai", "tiktoken") or m.startswith("interviewer.grading.llm")}


def test_offline_cli_path_imports_no_openai(tmp_path):
    code = (
        "import sys, asyncio\n"
        "from interviewer.settings import Settings\n"
        "from interviewer.grading.choose import make_grader\n"
        "from interviewer.grading.interface import GradingItem\n"
        "g = make_grader(Settings(home=__import__('pathlib').Path(sys.argv[1])), 'auto')\n"
        "grade = asyncio.run(g.grade(GradingItem('What is X?', 'X is a thing.', 'X is a thing.')))\n"
        "print(grade.grader, sorted(m for m in ('openai', 'tiktoken', 'textual') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "offline []"
