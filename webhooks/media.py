"""Fetching a forwarded picture from a provider: bounded in size, checked in type, from its host only.

Each function returns a loader (service.picture.Loader) that the intake calls once it knows the
message is new; a download that fails raises a picture error with a reply text, never a 500.
"""
from __future__ import annotations

import logging
import time
from typing import Iterable
from urllib.parse import urlsplit

import httpx

from pictures import PictureError, PictureTooLarge, UnsupportedPicture
from service.picture import Loader, PictureUnavailable

log = logging.getLogger("vigie.media")
TIMEOUT = httpx.Timeout(5.0, read=8.0)  # Twilio waits 15 s for the whole webhook answer
DEADLINE_S = 8.0  # the whole download, however slowly the bytes drip (httpx's read timeout is per read)
LOOPBACK = ("127.0.0.1", "localhost", "::1")  # the tests' fake provider
IMAGE_TYPES = ("image/png", "image/jpeg", "image/jpg", "image/webp", "image/heic", "image/heif")


def is_image(content_type: str | None) -> bool:
    """True for a declared type Vigie reads (the bytes are checked again when decoded)."""
    return (content_type or "").split(";")[0].strip().lower() in IMAGE_TYPES


def download(url: str, *, max_bytes: int, hosts: Iterable[str] = (), auth: tuple[str, str] | None = None,
             client: httpx.Client | None = None, deadline_s: float = DEADLINE_S) -> bytes:
    """The body at `url`, at most `max_bytes`; refused unless its host is one of `hosts` (when given)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    allowed = tuple(h.lower() for h in hosts)
    if allowed and host not in allowed:
        log.warning("media from %s refused: not the provider's host", host[:80])
        raise PictureUnavailable(f"media host {host!r} is not the provider's")
    if auth and parts.scheme != "https" and host not in LOOPBACK:  # credentials never travel in clear
        raise PictureUnavailable("media URL is not https: the account's credentials are not sent")
    own = client is None
    client = client or httpx.Client(timeout=TIMEOUT, follow_redirects=True, max_redirects=3)
    try:
        with client.stream("GET", url, auth=auth) as resp:
            if resp.status_code != 200:
                log.warning("media download from %s: HTTP %s", host[:80], resp.status_code)
                raise PictureUnavailable(f"media download answered HTTP {resp.status_code}")
            declared = resp.headers.get("Content-Type")
            if declared and not is_image(declared) and not declared.startswith("application/octet-stream"):
                raise UnsupportedPicture(f"media declared as {declared[:60]!r}")
            if int(resp.headers.get("Content-Length") or 0) > max_bytes:
                raise PictureTooLarge(f"media declares more than {max_bytes} bytes")
            return _bounded(resp.iter_bytes(), max_bytes, time.monotonic() + deadline_s)
    except httpx.HTTPError as exc:
        log.warning("media download from %s failed: %s", host[:80], type(exc).__name__)
        raise PictureUnavailable(f"media download failed ({type(exc).__name__})") from exc
    finally:
        if own:
            client.close()


def _bounded(chunks: Iterable[bytes], max_bytes: int, deadline: float) -> bytes:
    """The chunks joined, stopping as soon as they pass `max_bytes` (a lying Content-Length) or the deadline."""
    out = bytearray()
    for chunk in chunks:
        out += chunk
        if len(out) > max_bytes:
            raise PictureTooLarge(f"media is more than {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise PictureUnavailable("media download too slow: the answer would come too late")
    return bytes(out)


def loader(url: str, **kwargs) -> Loader:
    """A loader downloading `url` with `download`'s checks."""
    return lambda: download(url, **kwargs)


def telegram_file(api_url: str, token: str, file_id: str, *, max_bytes: int) -> Loader:
    """A loader for a Telegram file: getFile, then the file through the same Bot API server."""
    def load() -> bytes:
        if not token:
            raise PictureUnavailable("TELEGRAM_BOT_TOKEN is not set: pictures cannot be downloaded")
        base = api_url.rstrip("/")
        try:
            with httpx.Client(timeout=TIMEOUT) as client:
                resp = client.post(f"{base}/bot{token}/getFile", json={"file_id": file_id})
                path = resp.json().get("result", {}).get("file_path") if resp.status_code == 200 else None
                if not isinstance(path, str) or not path or ".." in path:
                    raise PictureUnavailable(f"getFile answered HTTP {resp.status_code} without a file path")
                return download(f"{base}/file/bot{token}/{path}", max_bytes=max_bytes, client=client)
        except PictureError:
            raise
        except (httpx.HTTPError, ValueError, AttributeError) as exc:  # a body that is not the Bot API's JSON
            log.warning("telegram getFile failed: %s", type(exc).__name__)
            raise PictureUnavailable(f"telegram getFile failed ({type(exc).__name__})") from exc
    return load
