"""The offline grader: alignment of an answer with the reference and key points, with no network."""
