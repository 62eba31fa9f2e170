"""The comparison as one self-contained HTML file: the page's own markup, style and script, and the data.

No network (its Content-Security-Policy allows none), opens from disk, fits in a pull request: the script
sees the embedded data and shows the matrix, the bootstrap table and every article as the live page does,
without the buttons that need the server.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ASSETS = Path(__file__).resolve().parent / "assets"
BODY_BEGIN, BODY_END = "<!-- body:begin -->", "<!-- body:end -->"
CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"


def _script_safe(text: str) -> str:
    """JSON inside a <script> element: no `</script>` or `<!--` can end it early."""
    return text.replace("<", "\\u003c")


def export_html(bundle: dict[str, Any], page: str) -> str:
    body = page[page.index(BODY_BEGIN) + len(BODY_BEGIN) : page.index(BODY_END)]
    css = (ASSETS / "lab.css").read_text(encoding="utf-8")
    script = (ASSETS / "lab.js").read_text(encoding="utf-8")
    data = _script_safe(json.dumps(bundle, ensure_ascii=False, separators=(",", ":")))
    variants = " vs ".join(v["ref"] for v in bundle["board"]["variants"])
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Prompt lab export · {bundle['board']['gold']} · {variants}</title>"
        f"<style>{css}</style></head>\n<body>{body}\n"
        f'<script type="application/json" id="lab-export">{data}</script>\n'
        f"<script>{script}</script>\n</body></html>\n"
    )
