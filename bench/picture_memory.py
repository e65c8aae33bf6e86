"""Peak memory of a worker reading a very large picture: each case in a fresh process.

The process loads what a worker holds (the triage engine, the OCR engine), reads one ordinary
screenshot, notes its peak RSS, then reads the large picture (all the way to the verdict, or to
the named refusal) and notes the peak again. Linux (/proc/self/status).

    python bench/picture_memory.py var/screens/screen-0000.png
"""
from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# (name, format, width, height): a 40-megapixel PNG and JPEG (a camera's size), a 24-megapixel PNG
# (the largest lossless picture decoded whole) and a 50-megapixel JPEG (the largest photo accepted).
CASES = (("png-24mp", "PNG", 4000, 6000), ("png-40mp", "PNG", 5480, 7300), ("jpeg-40mp", "JPEG", 5480, 7300),
         ("jpeg-50mp", "JPEG", 6120, 8160), ("webp-6mp", "WEBP", 2000, 3000), ("webp-40mp", "WEBP", 5480, 7300),
         ("heic-24mp", "HEIF", 4284, 5712))


def picture(fmt: str, width: int, height: int) -> bytes:
    """A large picture with some text on it (not flat: a flat picture compresses to nothing)."""
    from PIL import Image, ImageDraw
    if fmt == "HEIF":
        import pillow_heif
        pillow_heif.register_heif_opener()
    image = Image.new("RGB", (width, height), (245, 245, 245))
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 97):
        draw.text((40, y), f"Ligne {y} : votre dossier https://exemple-{y % 7}.fr/a et le 06 12 34 56 78",
                  fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 70} if fmt in ("JPEG", "WEBP") else {"compress_level": 6}))
    return out.getvalue()


def rss_mb() -> float:
    """Peak RSS of this process (VmHWM: ru_maxrss would keep the parent's size across exec)."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024


def one(screenshot: Path, big: Path) -> dict:
    """In this process: worker state, one screenshot, then the big picture; the peaks."""
    from bot.report import Report
    from pictures import PictureError, get_engine, read_picture
    from service.engine import build_triage, prepare_db
    triage = build_triage(prepare_db(Path(tempfile.mkdtemp(prefix="vigie-mem-")) / "bench.sqlite3"))
    engine = get_engine()
    seen = read_picture(screenshot.read_bytes(), engine=engine)
    triage.check(Report(seen.text, "sms"))
    before = rss_mb()
    data = big.read_bytes()
    t0 = time.perf_counter()
    try:
        read = read_picture(data, engine=engine)
        outcome = triage.check(Report(read.text or "-", "sms")).verdict
    except PictureError as exc:
        outcome = exc.code
    return {"worker_mb": round(before), "peak_mb": round(rss_mb()), "bytes": len(data), "outcome": outcome,
            "ms": round((time.perf_counter() - t0) * 1000)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("screenshot", type=Path)
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # internal: measure in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.screenshot, args.one)))
        return
    folder = Path(tempfile.mkdtemp(prefix="vigie-big-"))
    for name, fmt, width, height in CASES:
        path = folder / f"{name}.{fmt.lower()}"
        path.write_bytes(picture(fmt, width, height))
        out = subprocess.run([sys.executable, __file__, str(args.screenshot), "--one", str(path)], check=True,
                             capture_output=True, text=True).stdout
        print(json.dumps({"picture": name, "pixels": width * height, **json.loads(out.splitlines()[-1])}))


if __name__ == "__main__":
    main()
