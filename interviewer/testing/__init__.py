"""Test helpers shipped with interviewer: a loopback OpenAI-compatible server (``fake_openai_server``).

Nothing here is imported by the application itself.
"""
