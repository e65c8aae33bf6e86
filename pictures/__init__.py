"""Read a picture a patient forwarded: its text (OCR, French + English, offline), its QR codes and
fingerprints for near-duplicates. No Flask, no provider, no project package: bytes in, PictureText out.
"""
from pictures.decode import MAX_BYTES, MAX_PIXELS, sniff
from pictures.ocr import ENGINES, OcrEngine, get_engine
from pictures.read import read_picture
from pictures.show import as_png
from pictures.similar import distance
from pictures.types import (CorruptPicture, DecompressionBomb, EmptyPicture, Line, OcrUnavailable, PictureError,
                            PictureText, PictureTooLarge, UnsupportedPicture)

__all__ = ["MAX_BYTES", "MAX_PIXELS", "ENGINES", "CorruptPicture", "DecompressionBomb", "EmptyPicture", "Line",
           "OcrEngine", "OcrUnavailable", "PictureError", "PictureText", "PictureTooLarge", "UnsupportedPicture",
           "as_png", "distance", "get_engine", "read_picture", "sniff"]
