"""`Retry-After` as seconds: read by the transport retry loop (from the upstream) and by the client (from us).

Its own module, on the standard library alone, because `summarizer.client` needs it and must stay
light (httpx and pydantic): the retry loop beside it imports openai and tenacity.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping


def retry_after_from_headers(headers: Mapping[str, str]) -> float | None:
    """`retry-after-ms` or `Retry-After` (seconds or an HTTP date) as seconds; None when absent or unreadable."""
    if (millis := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # unparseable: fall back to our own backoff
    return max(0.0, parsed.timestamp() - time.time())
