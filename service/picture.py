"""A picture a patient forwarded, read into the Report the engine checks like any text.

Channels do not read pictures: they hand the intake a loader (bytes on demand, after the dedupe),
and this module turns its bytes into text with `pictures.read_picture`. What cannot be read gets a
stable code (one reply text per code in bot/texts) and a report staff can see.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from sqlite_utils import Database

import pictures
from bot.report import Report
from config.logsafe import failure
from store import case_pictures
from store.case_pictures import Kept
from store.crypto import DataKeys

log = logging.getLogger("vigie.picture")
Loader = Callable[[], bytes]  # the picture's bytes; raises a pictures.PictureError when they cannot be had
NO_TEXT = "picture_no_text"
# Per channel, what a forwarded picture may weigh: Twilio caps MMS at 5 MB, Telegram bots download
# up to 20 MB but a screenshot is far under 10 MB, an e-mail or an upload the same.
MAX_BYTES = {"sms": 5_000_000, "whatsapp": 5_000_000, "telegram": 10_000_000, "email": 10_000_000}
UPLOAD_BYTES = 8_000_000  # the try-it page and the API: the request must stay under web.http.PICTURE_BODY
# Several pictures with one message: at most this many read (Twilio sends up to 10 media), this many bytes
# together (four full MMS media), and none started after this many seconds (Twilio waits 15 s for the answer;
# one screenshot takes ~0.5 s of OCR, a slow download up to 8 s).
MAX_PICTURES = 4
MAX_TOTAL_BYTES = 20_000_000
MAX_SECONDS = 6.0


class PictureUnavailable(pictures.PictureError):
    """The channel could not hand over the picture (the provider's download failed or was refused)."""

    code = "picture_unavailable"


@dataclass(frozen=True)
class Read:
    """A picture read into a report, or why not (`error`: a code with a reply text)."""

    report: Report
    error: str | None = None
    ms: float = 0.0
    kept: tuple[Kept, ...] = ()  # the pictures decoded, for staff (store.case_pictures keeps them with the case)


def read(report: Report, load: Loader | Sequence[Loader], max_bytes: int | None = None) -> Read:
    """The report with the text of its pictures (the channel's own text kept before it), or the error code.

    Several pictures (an MMS with several media, an e-mail with several images): each is read, their texts
    follow one another, every QR code's link is judged; at most MAX_PICTURES, MAX_TOTAL_BYTES together and
    none started after MAX_SECONDS. A picture that cannot be read is left out when another one was read."""
    t0 = time.perf_counter()
    loads = (load,) if callable(load) else tuple(load)
    limit = max_bytes or MAX_BYTES.get(report.channel, UPLOAD_BYTES)
    read_ok: list[pictures.PictureText] = []
    kept: list[Kept] = []
    errors: list[str] = []
    budget = MAX_TOTAL_BYTES
    for n, one in enumerate(loads[:MAX_PICTURES]):
        if n and _ms(t0) > MAX_SECONDS * 1000:
            log.info("picture on %s: %d more not read (%.0f ms spent)", report.channel, len(loads) - n, _ms(t0))
            break
        outcome = _read_one(report.channel, one, limit, budget)
        if isinstance(outcome, str):
            errors.append(outcome)
            continue
        data, pt = outcome
        budget -= len(data)
        read_ok.append(pt)
        kept.append(Kept(data, pt.kind, pt.dhash))
    ms = _ms(t0)
    if not read_ok:
        code = errors[0] if errors else NO_TEXT
        return Read(_marked(report, code), code, ms)
    texts = [pt.text for pt in read_ok if pt.text.strip()]
    qr = tuple(dict.fromkeys(payload for pt in read_ok for payload in pt.qr))  # each link once, in order
    if not texts and not qr:
        return Read(_marked(report, NO_TEXT), NO_TEXT, ms, tuple(kept))
    text = "\n\n".join(part for part in (report.text.strip(), *texts) if part.strip())
    # The screenshot's conversation title is the sender the phone showed: forgeable, never vouched for.
    sender = report.sender or next((pt.header for pt in read_ok if pt.header), None)
    return Read(replace(report, text=text, sender=sender, hidden_links=report.hidden_links + qr), None, ms,
                tuple(kept))


def _read_one(channel: str, load: Loader, limit: int, budget: int) -> tuple[bytes, pictures.PictureText] | str:
    """One picture's bytes and text, or the code of why it was not read (logged, never its content)."""
    t0 = time.perf_counter()
    try:
        data = load()
        if len(data) > budget:
            raise pictures.PictureTooLarge(f"the pictures of one message weigh more than {MAX_TOTAL_BYTES} bytes")
        pt = pictures.read_picture(data, max_bytes=limit)
    except pictures.PictureError as exc:
        log.info("picture on %s not read: %s", channel, exc.code)
        return exc.code
    except Exception as exc:  # noqa: BLE001 - a reader bug must not lose the message nor fail the webhook
        log.error("picture on %s: the reader failed, answered as unavailable: %s", channel, failure(exc))
        return pictures.OcrUnavailable.code  # "reading pictures is unavailable for the moment"
    log.info("picture on %s read in %.0f ms (%s, %dx%d, %d lines, %d QR)", channel, _ms(t0), pt.kind,
             pt.width, pt.height, len(pt.lines), len(pt.qr))
    return data, pt


def keeping(channel: str, provider_id: str, kept: tuple[Kept, ...], keys: DataKeys,
            also: Callable[[Database], None] | None) -> Callable[[Database], None] | None:
    """Work for the transaction that stores the case: its pictures kept with it, then `also`."""
    if not kept:
        return also

    def run(db: Database) -> None:
        row = db.execute("SELECT case_id FROM inbound WHERE channel = ? AND provider_message_id = ?",
                         [channel, provider_id]).fetchone()
        if row is not None and row[0] is not None:  # a command or a refinement stores no case: nothing to keep
            case_pictures.save(db, keys, row[0], kept)
        if also is not None:
            also(db)
    return run


def for_staff(db: Database, keys: DataKeys, case_id: int, n: int = 0) -> bytes | None:
    """A case's picture as the desk shows it (a fresh PNG, see pictures.show), or None when there is none."""
    kept = case_pictures.load(db, keys, case_id, n)
    if kept is None:
        return None
    try:
        return pictures.as_png(kept.data)
    except pictures.PictureError as exc:  # kept because it decoded once: only a newer limit refuses it now
        log.warning("picture %s of case %s cannot be shown: %s", n, case_id, exc.code)
        return None


def _marked(report: Report, code: str) -> Report:
    """What staff see for a picture that was not read: the channel's own text and the reason."""
    note = f"[image non lue : {code}]"
    return replace(report, text=f"{report.text.strip()}\n{note}".strip())


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000
