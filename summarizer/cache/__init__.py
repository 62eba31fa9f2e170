"""What is kept between requests: answers by their fingerprint (`summarizer.fingerprint`), so an
unchanged case costs no call, and the rate-limit counters every entry point shares.

- `answers`: the response cache of the use-case (`Summarizer.answer`), in-flight joining and
  idempotency keys; used by the API, the CLI and batch jobs alike.
- `stores`: where those answers live (memory, file, Redis) and `open_store`.
- `ratelimit`: rate-limit counters (memory or Redis); the API and batch workers count in the same
  ones, so they sit below both (the API only decides what a refusal looks like).
- `files`: the eval runner's cache of whole answers on disk, one JSON file per fingerprint.
"""
