"""Batch grading: read answers from files, match them to the bank, grade them, write JSONL, report.

``inputs`` reads answers (session transcripts, JSONL, CSV, plain-text transcripts),
``matching`` finds each answer's bank question, ``runner`` grades them (offline or through an
LLM, paced and resumable), ``records`` shapes one output line, ``reports`` summarises an output
file as text, CSV, Markdown or HTML, and ``batch_api`` runs the grading through the OpenAI Batch API.
"""
