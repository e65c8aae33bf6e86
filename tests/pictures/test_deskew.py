"""A slanted photo of a screen is straightened before OCR; a straight screenshot is left alone."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from pictures.deskew import deskew, skew_angle


@pytest.mark.parametrize("degrees", [-5.0, -2.5, 3.0, 4.5])
def test_the_slant_of_a_rotated_screenshot_is_found_to_a_few_tenths_of_a_degree(screens, degrees):
    image = Image.open(io.BytesIO(screens["scam"])).convert("RGB")
    turned = image.rotate(degrees, resample=Image.BICUBIC, expand=True, fillcolor=(255, 255, 255))
    assert skew_angle(turned) == pytest.approx(-degrees, abs=0.3)


def test_a_straight_screenshot_is_not_rotated(screens):
    image = Image.open(io.BytesIO(screens["other"])).convert("RGB")
    straight, angle = deskew(image)
    assert angle == 0.0 and straight is image
