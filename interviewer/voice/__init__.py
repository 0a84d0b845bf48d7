"""Spoken answers: transcription with word timings, model resolution, measured delivery, recording, text-to-speech.

Nothing here imports Textual or OpenAI, and nothing happens at import time. The heavy
libraries of the ``voice`` extra (faster-whisper, onnxruntime, sounddevice, hibari) are
imported only inside the functions that need them, after ``runtime.prepare_imports``.
"""
