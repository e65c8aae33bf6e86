"""Near-identical screenshots get close fingerprints; different ones do not."""
from __future__ import annotations

import io

from PIL import Image

from pictures import distance
from pictures.similar import dhash, simhash

CLOSE_DHASH = 24  # of 256 bits
CLOSE_SIMHASH = 10  # of 64 bits


def test_the_same_screenshot_resent_as_jpeg_keeps_a_close_picture_hash(read):
    first = read("scam")
    resent = read("scam-resent")  # clock changed, JPEG quality 40
    assert distance(first.dhash, resent.dhash) <= CLOSE_DHASH
    assert distance(first.fingerprint, resent.fingerprint) <= CLOSE_SIMHASH


def test_the_same_scam_in_another_theme_keeps_a_close_text_fingerprint(read):
    light = read("scam")
    dark = read("scam-photo")  # dark, serif, rotated, JPEG 40
    assert distance(light.fingerprint, dark.fingerprint) <= CLOSE_SIMHASH


def test_different_screenshots_are_far_apart(read):
    scam = read("scam")
    other = read("other")
    assert distance(scam.dhash, other.dhash) > CLOSE_DHASH
    assert distance(scam.fingerprint, other.fingerprint) > CLOSE_SIMHASH


def test_a_resized_picture_keeps_its_dhash(screens):
    image = Image.open(io.BytesIO(screens["scam"])).convert("RGB")
    smaller = image.resize((image.width * 2 // 3, image.height * 2 // 3))
    assert distance(dhash(image), dhash(smaller)) <= 8


def test_simhash_ignores_case_and_punctuation_but_not_words():
    text = "CPAM : Votre carte vitale arrive à expiration, remplir le formulaire"
    assert simhash(text) == simhash(text.lower().replace(",", "").replace(":", ""))
    assert distance(simhash(text), simhash("Votre colis est en attente de livraison, payez les frais")) > 10
