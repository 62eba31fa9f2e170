"""How we call the model: one transport retry loop, one re-ask loop, one deadline.

`client` (instructor on AsyncOpenAI), `retry` (the tenacity transport loop), `breaker` (stop calling
an upstream that keeps failing).
"""
