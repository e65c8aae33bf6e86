"""Inside a link's code, glyphs that differ only by size are settled by the size of the word's other glyphs:
z / Z, o / O, s / S..., o / 0 by height against capitals and x-height letters, O / 0 by width against the digits.
The OCR's reading stays whenever the word cannot tell; hosts and plain words are never touched."""
from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from pictures.glyphs import code_start, ink_boxes, settle, worth_settling
from tests.webhooks.picture_files import FONT

CAP, LOW = 36, 27  # cap height and x-height in pixels, as measured on the generated screenshots
DIGIT_W, O_W = 20, 28


def boxes(word: str, sizes: dict[int, tuple[int, int]] | None = None) -> list[tuple[int, int, int, int]]:
    """A box per glyph: capitals and digits cap height, lowercase x-height, `sizes` {index: (w, h)} overriding."""
    out, x = [], 0
    for i, char in enumerate(word):
        width, height = (sizes or {}).get(i, (DIGIT_W, CAP if char.isupper() or char.isdigit() else LOW))
        out.append((x, CAP - height, x + width, CAP))
        x += width + 4
    return out


def test_an_x_height_glyph_read_as_a_capital_is_lowercase_and_a_round_digit_wide_one_is_zero():
    read = "Cft=1tFUd8ZHDO"  # truth "Cft=1tFUd8zHD0": z is x-height, the last glyph as narrow as the 8
    assert settle(read, boxes(read, {10: (DIGIT_W, LOW)})) == "Cft=1tFUd8zHD0"


def test_a_small_round_glyph_read_as_zero_is_an_o():
    read = "https://t.co/k20J45YKDf"
    assert settle(read, boxes(read, {15: (DIGIT_W, LOW)})) == "https://t.co/k2oJ45YKDf"


def test_a_wide_round_capital_stays_a_capital_o():
    read = "orm/SV_3fICOo6"
    assert settle(read, boxes(read, {11: (O_W, CAP)})) == "orm/SV_3fICOo6"


def test_the_word_keeps_its_reading_when_nothing_in_it_can_serve_as_a_reference():
    read = "x/zOoS"  # no capital, digit or x-height letter outside the ambiguous ones
    assert settle(read, boxes(read)) == read


def test_hosts_and_plain_words_are_never_settled():
    assert code_start("https://WwW.va.gov/find") == len("https://WwW.va.gov/")
    assert not worth_settling("Bonjour") and not worth_settling("www.ameli.fr")
    read = "https://www.ameli.fr/ZONE"
    assert settle(read, boxes(read))[:len("https://www.ameli.fr/")] == "https://www.ameli.fr/"


def test_glyph_sizes_are_measured_on_the_ink_not_on_the_ocr_boxes():
    font = ImageFont.truetype(str(FONT), 48)
    image = Image.new("L", (400, 80), 255)
    ImageDraw.Draw(image).text((10, 10), "zZ0o", fill=0, font=font)
    spans, x = [], 10
    for char in "zZ0o":
        width = round(font.getlength(char))
        spans.append((x, 0, x + width, 80))  # the OCR's box: the whole line's height
        x += width
    z, big_z, zero, o = ink_boxes(image, spans, (0, 0, 400, 80))
    assert z[3] - z[1] < 0.8 * (big_z[3] - big_z[1]) and o[3] - o[1] < 0.85 * (zero[3] - zero[1])


def test_a_glyph_box_that_caught_its_neighbour_is_left_as_read():
    read = "https://tinyurl.com/2y9dyv23"  # the OCR's box for "v" also covers the "y" before it
    spans = boxes(read, {read.index("v"): (2 * DIGIT_W + 14, CAP)})
    assert settle(read, spans) == read


def test_a_descender_caught_in_a_box_does_not_make_a_lowercase_glyph_a_capital():
    read = "bit.ly/4aYx"  # "x" measured from the baseline up: a neighbour's descender below it does not count
    spans = boxes(read)
    x0, y0, x1, _ = spans[-1]
    spans[-1] = (x0, y0, x1, CAP + 9)
    assert settle(read, spans) == read
