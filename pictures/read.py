"""From picture bytes to PictureText: decode, OCR, reading order, QR codes, fingerprints."""
from __future__ import annotations

import time

from pictures import decode as _decode
from pictures.deskew import deskew
from pictures.layout import fix_misreads, reading_order, separators, split_chrome, to_lines
from pictures.ocr import OcrEngine, get_engine
from pictures.qr import qr_payloads
from pictures.similar import dhash, simhash
from pictures.types import PictureText


def read_picture(data: bytes, *, max_bytes: int = _decode.MAX_BYTES, max_pixels: int = _decode.MAX_PIXELS,
                 engine: OcrEngine | None = None) -> PictureText:
    """Read the text, QR codes and fingerprints of a picture; bad input raises a named PictureError."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    decoded = _decode.decode(data, max_bytes=max_bytes, max_pixels=max_pixels)
    t1 = time.perf_counter()
    engine = engine or get_engine()
    straight, _ = deskew(decoded.image)  # line boxes are those of the straightened picture
    rows = [(fix_misreads(text), box, conf) for text, box, conf in reading_order(engine.lines(straight))]
    rows, chrome, header = split_chrome(rows, straight.width, straight.height)
    lines = to_lines(rows, separators(rows), decoded.scale)
    t2 = time.perf_counter()
    qr = qr_payloads(decoded.image)
    t3 = time.perf_counter()
    text = "".join(line.text + line.sep for line in lines)
    timings.update(decode=(t1 - t0) * 1000, ocr=(t2 - t1) * 1000, qr=(t3 - t2) * 1000)
    return PictureText(kind=decoded.kind, width=decoded.width, height=decoded.height, lines=lines, qr=qr,
                       dhash=dhash(decoded.image), fingerprint=simhash(text), engine=engine.name, header=header,
                       chrome=to_lines(chrome, ["\n"] * len(chrome), decoded.scale),
                       timings_ms={k: round(v, 1) for k, v in timings.items()})
