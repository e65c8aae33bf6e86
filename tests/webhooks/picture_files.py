"""Pictures a patient would forward, made in the test: a screenshot-like PNG of a real scam, a QR code."""
from __future__ import annotations

import io
import shutil
import textwrap
from pathlib import Path

from tests.pictures.cases import need

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
# Corpus h020, quoted by the press: a carte Vitale renewal with a CPAM look-alike link.
SCAM_LINES = ("CPAM : Votre carte vitale arrive à expiration, afin de rester couvert, veuillez remplir "
              "le formulaire de renouvellement : https://assures-amell.fr")


def need_reader() -> None:
    """Skip (fail on CI) when Tesseract or the font the pictures are drawn with is missing."""
    need("tesseract", shutil.which("tesseract"), "apt-get install -y tesseract-ocr tesseract-ocr-fra")
    need("the DejaVu font", FONT.exists(), "apt-get install -y fonts-dejavu-core")


def text_png(text: str = SCAM_LINES, *, width: int = 1080, height: int = 900, fmt: str = "PNG") -> bytes:
    """A phone-width picture of `text` in a grey bubble, dark text on white, as a screenshot shows it."""
    from PIL import Image, ImageDraw, ImageFont
    font = ImageFont.truetype(str(FONT), 44)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    lines = textwrap.wrap(text, 38)
    draw.rounded_rectangle((40, 120, width - 80, 160 + 60 * len(lines)), 30, fill=(233, 233, 235))
    for i, line in enumerate(lines):
        draw.text((70, 140 + 60 * i), line, fill=(20, 20, 20), font=font)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def qr_png(payload: str) -> bytes:
    """A QR code of `payload` as a PNG (a letter's QR code, photographed straight)."""
    import segno
    out = io.BytesIO()
    segno.make(payload, error="m").save(out, kind="png", scale=10, border=4)
    return out.getvalue()
