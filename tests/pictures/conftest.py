"""Fixtures for picture reading: a few screenshots of real corpus messages, rendered once a session."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.pictures.cases import SCAM_LINK, need


@pytest.fixture(scope="session")
def engine():
    """The default OCR engine, loaded once."""
    from pictures import ENGINES, get_engine
    if ENGINES[0] == "tesseract":
        need("tesseract", shutil.which("tesseract"), "apt-get install -y tesseract-ocr tesseract-ocr-fra")
    return get_engine()


@pytest.fixture(scope="session")
def screens(tmp_path_factory) -> dict[str, bytes]:
    """A handful of generated screenshots by name: the bytes a patient would forward."""
    from bench.screenshots import chromium, render, screen_of
    need("chromium", chromium(), "apt-get install -y chromium")
    wanted = [
        screen_of("scam", ("h020", "fse-9")),
        screen_of("scam-photo", ("h020", "fse-9"), theme="dark", font="Liberation Serif",
                  degradation="rotate+jpeg40", angle=-3.5),
        screen_of("scam-resent", ("h020", "fse-9"), degradation="jpeg40", clock="09:42"),
        screen_of("other", ("fsa-1",), theme="whatsapp", font="Liberation Sans"),
        screen_of("other-light", ("fsa-1", "fse-9")),  # another message in the same app, font and theme as "scam"
        screen_of("qr", ("fsa-1",), qr=SCAM_LINK, qr_official=False),
    ]
    out: Path = tmp_path_factory.mktemp("screens")
    entries = render(wanted, out)
    return {e["file"].rsplit(".", 1)[0]: (out / e["file"]).read_bytes() for e in entries}


@pytest.fixture(scope="session")
def read(screens, engine):
    """read(name) -> PictureText of that screenshot, read once a session."""
    from pictures import read_picture
    done: dict = {}

    def read_one(name: str):
        if name not in done:
            done[name] = read_picture(screens[name], engine=engine)
        return done[name]
    return read_one
