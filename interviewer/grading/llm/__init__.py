"""The LLM grader: the OpenAI-compatible adapter, messages, the judge step, tokens, pricing, prompts, the cache."""
