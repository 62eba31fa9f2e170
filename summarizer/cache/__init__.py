"""Answers kept by their fingerprint (`summarizer.fingerprint`), so an unchanged case costs no call.

- `answers`: the response cache of the use-case (`Summarizer.answer`), in-flight joining and
  idempotency keys; used by the API, the CLI and batch jobs alike.
- `stores`: where those answers live (memory, file, Redis) and `open_store`.
- `files`: the eval runner's cache of whole answers on disk, one JSON file per fingerprint.
"""
