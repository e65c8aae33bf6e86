"""A screenshot of a real scam gives back its words, its link and its number exactly; QR codes decode."""
from __future__ import annotations

import io
import shutil

import pytest
import segno
from PIL import Image

from nlp import extract
from nlp.analyse import analysed_text
from nlp.domains import has_public_suffix
from pictures import read_picture
from tests.pictures.cases import SCAM_LINK, SCAM_PHONE, need


def links_and_numbers(text: str) -> tuple[set[str], set[str]]:
    """What Vigie's extractor finds in `text`: link URLs and E.164 numbers."""
    import phonenumbers
    text = analysed_text(text)
    links = {raw.url for raw in extract.links(text, has_public_suffix)}
    numbers = {phonenumbers.format_number(raw.number, phonenumbers.PhoneNumberFormat.E164)
               for raw in extract.phones(text, ("FR",)) if raw.number is not None}
    return links, numbers


@pytest.mark.parametrize("name", ["scam", "scam-photo", "scam-resent"])
def test_a_screenshot_of_a_real_scam_gives_back_its_link_and_number_exactly(read, name):
    picture = read(name)
    links, numbers = links_and_numbers(picture.text)
    assert SCAM_LINK in links
    assert SCAM_PHONE in numbers


def test_the_lines_come_in_reading_order_with_offsets_into_the_text(read):
    picture = read("scam")
    assert picture.text.index("carte vitale") < picture.text.index("paiement internet")
    for line in picture.lines:
        assert picture.text[line.start:line.start + len(line.text)] == line.text
        x0, y0, x1, y1 = line.box
        assert 0 <= x0 < x1 <= picture.width and 0 <= y0 < y1 <= picture.height


def test_french_accents_survive_the_reading(read):
    picture = read("scam")
    assert "arrive à expiration" in picture.text
    assert "n'êtes pas" in picture.text.replace("’", "'")


def test_a_qr_code_in_a_screenshot_is_decoded(read):
    picture = read("qr")
    assert picture.qr == (SCAM_LINK,)


def test_a_qr_code_on_a_photographed_letter_is_decoded(engine):
    official = "https://www.ameli.fr/assure/droits-demarches/principes/attention-appels-courriels-sms-frauduleux"
    letter = Image.new("RGB", (1600, 2200), (250, 248, 240))
    buffer = io.BytesIO()
    segno.make(official, error="m").save(buffer, kind="png", scale=9)
    letter.paste(Image.open(buffer).convert("RGB").rotate(4, expand=True, fillcolor=(250, 248, 240)), (900, 1400))
    out = io.BytesIO()
    letter.save(out, "JPEG", quality=40)
    assert read_picture(out.getvalue(), engine=engine).qr == (official,)


def test_the_status_bar_and_times_stay_out_of_the_text_and_the_title_is_the_header(read):
    picture = read("scam")
    assert picture.header == "0621478944"  # h020's sender, shown as the conversation title
    assert "09:41" not in picture.text and "0621478944" not in picture.text
    assert any(line.text.startswith("09:41") for line in picture.chrome)


def test_the_tesseract_command_reads_the_same_link_and_number_when_tesserocr_is_absent(screens):
    from pictures import get_engine
    need("tesseract", shutil.which("tesseract"), "apt-get install -y tesseract-ocr tesseract-ocr-fra")
    links, numbers = links_and_numbers(read_picture(screens["scam"], engine=get_engine("tesseract-cli")).text)
    assert SCAM_LINK in links and SCAM_PHONE in numbers
