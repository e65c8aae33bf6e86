"""Whatever bytes arrive, `read_picture` answers with PictureText or one named PictureError."""
from __future__ import annotations

import io
import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from pictures import (CorruptPicture, DecompressionBomb, EmptyPicture, PictureError, PictureTooLarge,
                      UnsupportedPicture, read_picture)
from pictures.decode import WORK_SIDE, decode


def png(width: int, height: int, color=(255, 255, 255)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares width x height (a decompression bomb's shape)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) \
        + chunk(b"IEND", b"")


def test_an_empty_file_is_refused_as_empty():
    with pytest.raises(EmptyPicture, match="0 bytes"):
        read_picture(b"")


@pytest.mark.parametrize("data, named", [(b"%PDF-1.7\n...", "PDF"), (b"GIF89a\x01\x00", "GIF"),
                                         (b"Bonjour, votre colis", "PNG, JPEG, WebP or HEIC")])
def test_a_file_that_is_not_a_picture_is_refused_by_its_bytes(data, named):
    with pytest.raises(UnsupportedPicture, match=named):
        read_picture(data)


def test_a_truncated_png_is_refused_as_corrupt():
    with pytest.raises(CorruptPicture, match="PNG"):
        read_picture(png(300, 200)[:60])


def test_a_png_with_a_broken_checksum_is_refused_as_corrupt():
    data = bytearray(png(300, 200))
    data[29] ^= 0xFF  # inside the IHDR checksum
    with pytest.raises(CorruptPicture):
        read_picture(bytes(data))


def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded():
    bomb = png_declaring(60_000, 60_000)  # 3.6 gigapixels in a few hundred bytes
    assert len(bomb) < 2000
    with pytest.raises(DecompressionBomb, match="too many pixels"):
        read_picture(bomb)


def test_a_picture_over_the_byte_limit_is_refused_as_too_large():
    with pytest.raises(PictureTooLarge):
        read_picture(png(50, 50), max_bytes=10)


def test_a_40_megapixel_photo_is_reduced_not_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (7300, 5480), (240, 240, 240)).save(buffer, "JPEG", quality=70)
    decoded = decode(buffer.getvalue())
    assert (decoded.width, decoded.height) == (7300, 5480)
    assert max(decoded.image.size) <= WORK_SIDE


def test_every_error_is_a_picture_error_with_a_stable_code():
    for error in (EmptyPicture, UnsupportedPicture, CorruptPicture, DecompressionBomb, PictureTooLarge):
        assert issubclass(error, PictureError) and error.code.startswith("picture_")


@settings(max_examples=150, deadline=None)
@given(head=st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF\0\0\0\0WEBP", b""]),
       tail=st.binary(max_size=400))
def test_random_bytes_behind_a_picture_signature_never_escape_as_another_error(head, tail):
    try:
        decode(head + tail)
    except PictureError:
        pass


def test_a_heic_photo_is_decoded_when_pillow_heif_is_installed():
    pillow_heif = pytest.importorskip("pillow_heif", reason="pillow-heif absent: HEIC answered as unsupported")
    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(buffer, "HEIF")
    decoded = decode(buffer.getvalue())
    assert (decoded.kind, decoded.width, decoded.height) == ("heic", 64, 48)


def test_a_phone_photo_is_turned_upright_by_its_exif_orientation():
    image = Image.new("RGB", (400, 300), (250, 250, 250))
    exif = image.getexif()
    exif[0x0112] = 6  # the camera was held upright: rotate 90 degrees clockwise to view
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    decoded = decode(buffer.getvalue())
    assert (decoded.width, decoded.height) == (300, 400) and decoded.image.size == (300, 400)


def test_a_40_megapixel_png_is_refused_before_a_pixel_is_decoded():
    # A PNG cannot be reduced while decoding: 40 megapixels would take the worker past 600 MB. The IDAT of this
    # file is not a picture: had a pixel been decoded, the error would be CorruptPicture.
    with pytest.raises(DecompressionBomb, match="5480 x 7300"):
        decode(png_declaring(5480, 7300))


def test_a_large_webp_is_refused_before_decoding_and_a_screen_sized_one_is_read():
    def webp(width: int, height: int) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (width, height), (250, 250, 250)).save(buffer, "WEBP", quality=20)
        return buffer.getvalue()
    with pytest.raises(DecompressionBomb):
        decode(webp(2500, 2500))  # 6.25 megapixels: a WebP costs ~18 bytes a pixel while decoding
    assert decode(webp(1440, 3200)).kind == "webp"  # the tallest phone screen
