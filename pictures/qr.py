"""QR codes in a picture, decoded with zxing-cpp (a maintained C++ port of ZXing)."""
from __future__ import annotations

from PIL import Image, ImageOps


def qr_payloads(image: Image.Image) -> tuple[str, ...]:
    """The text of every QR code in `image`, top to bottom, each once."""
    try:
        import zxingcpp
    except ImportError:  # a hard dependency; kept soft so a broken wheel costs QR codes, not the text
        return ()
    gray = ImageOps.grayscale(image)
    found = zxingcpp.read_barcodes(gray, formats=[zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode],
                                   try_rotate=True, try_invert=True, try_downscale=True)
    found = sorted(found, key=lambda r: (r.position.top_left.y, r.position.top_left.x))
    seen: dict[str, None] = {}
    for result in found:
        if result.valid and result.text:
            seen.setdefault(result.text, None)
    return tuple(seen)
