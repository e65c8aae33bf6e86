"""What crosses the border of `pictures`: the text read from a picture, and the named errors."""
from __future__ import annotations

from dataclasses import dataclass, field

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in the pixels of the picture as received


@dataclass(frozen=True)
class Line:
    """One line of recognised text, where it sits in the picture and where it starts in `text`."""

    text: str
    box: Box
    confidence: float
    start: int = 0  # offset of this line in PictureText.text
    sep: str = "\n"  # what follows it in PictureText.text: "\n" after a bubble, " " inside, "" in a wrapped link


@dataclass(frozen=True)
class PictureText:
    """Everything Vigie reads from one picture: text lines in reading order, QR payloads, hashes."""

    kind: str  # "png" | "jpeg" | "webp" | "heic"
    width: int  # size of the picture as received (after EXIF rotation)
    height: int
    lines: tuple[Line, ...]
    qr: tuple[str, ...]  # decoded QR code payloads, top to bottom
    dhash: str  # 256-bit difference hash, hex: near-identical screenshots differ in few bits
    fingerprint: str  # 64-bit simhash of the recognised words, hex: same text in another layout
    engine: str  # OCR engine that read the text
    header: str = ""  # a phone screenshot's conversation title (the sender as the phone shows it)
    chrome: tuple[Line, ...] = ()  # status bar, title bar and bare clock times: not part of `text`
    timings_ms: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def text(self) -> str:
        """The recognised text: a bubble's lines joined by spaces, bubbles by newlines (QR codes apart)."""
        return "".join(line.text + line.sep for line in self.lines).rstrip("\n")


class PictureError(ValueError):
    """A picture Vigie cannot read; `code` is stable (for reply texts and stored cases)."""

    code = "picture_error"


class EmptyPicture(PictureError):
    """The file has 0 bytes."""

    code = "picture_empty"


class UnsupportedPicture(PictureError):
    """Not a PNG, JPEG, WebP or HEIC picture (by its bytes, whatever its declared type)."""

    code = "picture_unsupported"


class PictureTooLarge(PictureError):
    """More bytes than the channel accepts."""

    code = "picture_too_large"


class DecompressionBomb(PictureError):
    """Declares more pixels than any phone screen or camera makes: refused before decoding."""

    code = "picture_bomb"


class CorruptPicture(PictureError):
    """Looks like a picture but cannot be decoded (truncated, bad checksum, bad chunk)."""

    code = "picture_corrupt"


class OcrUnavailable(PictureError):
    """The OCR engine is not installed on this machine."""

    code = "picture_ocr_unavailable"
