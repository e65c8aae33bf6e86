"""Offline OCR engines behind one small interface: lines of text with their boxes.

Tesseract 5 with Debian's `fra` + `eng` models, kept loaded through tesserocr (the default) or
called as the `tesseract` command; RapidOCR (PP-OCRv4 ONNX models shipped inside its wheel, run
by onnxruntime), installed only for comparison. Each uses one thread: a worker has one core.
`bench/ocr.py` measures them on the same screenshots; its figures chose Tesseract.
"""
from __future__ import annotations

import csv
import functools
import io
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Protocol

from PIL import Image, ImageOps, ImageStat

from pictures import glyphs
from pictures.types import Box, OcrUnavailable

ENGINES = ("tesseract", "tesseract-cli", "rapidocr")  # the first is the default: figures in bench/ocr.py
LANGUAGES = "fra+eng"
TESSDATA_DIRS = tuple(Path(d) for d in ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                                        "/usr/share/tessdata", "/usr/local/share/tessdata"))
TESSERACT_TIMEOUT_S = 20
_TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
_SPLIT_GAP = 0.2  # of the line height: narrower gaps inside a link are not spaces


class OcrEngine(Protocol):
    """Reads the text lines of an RGB picture; `name` identifies it in figures and cases."""

    name: str

    def lines(self, image: Image.Image) -> list[tuple[str, Box, float]]: ...


class RapidOcr:
    """PP-OCRv4 through onnxruntime: models load once per process (about 1 s), then stay."""

    name = "rapidocr"

    def __init__(self) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError:
            raise OcrUnavailable("RapidOCR is not installed (pip install rapidocr-onnxruntime)") from None
        # One thread per worker; no angle classifier: a screenshot is never upside down.
        self._engine = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, use_cls=False)

    def lines(self, image: Image.Image) -> list[tuple[str, Box, float]]:
        import numpy as np
        bgr = np.asarray(image.convert("RGB"))[:, :, ::-1]
        result, _ = self._engine(np.ascontiguousarray(bgr), use_cls=False)
        out = []
        for quad, text, score in result or ():
            xs, ys = [p[0] for p in quad], [p[1] for p in quad]
            out.append((text, (int(min(xs)), int(min(ys)), int(max(xs)), int(max(ys))), float(score)))
        return out


class TesseractCli:
    """Tesseract 5 LSTM through Debian's `tesseract` command: French then English, psm 3.

    Each call starts a process that loads both models again (about 0.2 s of CPU); `Tesseract`
    keeps them loaded. This one needs nothing but the Debian packages.
    """

    name = "tesseract-cli"

    def __init__(self, languages: str = LANGUAGES) -> None:
        self._binary = shutil.which("tesseract")
        if not self._binary:
            raise OcrUnavailable("Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-fra)")
        self._languages = languages

    def lines(self, image: Image.Image) -> list[tuple[str, Box, float]]:
        buffer = io.BytesIO()
        _for_tesseract(image).save(buffer, "PPM")  # raw PGM: encoding a PNG for a pipe costs 30 ms, this 2 ms
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        done = subprocess.run([self._binary, "stdin", "stdout", "-l", self._languages, "--psm", "3",
                               "-c", "tessedit_do_invert=0", "tsv"],
                              input=buffer.getvalue(), capture_output=True, timeout=TESSERACT_TIMEOUT_S,
                              env=env, check=False)
        if done.returncode != 0:
            raise OcrUnavailable(f"tesseract failed: {done.stderr.decode('utf-8', 'replace').strip()[:200]}")
        return _tsv_lines(done.stdout.decode("utf-8", "replace"))


class Tesseract:
    """Tesseract kept loaded in this process (tesserocr's bundled library, Debian's fra + eng models).

    Falls back to the command when tesserocr is not installed. One call at a time: the API
    object is not thread-safe.
    """

    name = "tesseract"

    def __init__(self, languages: str = LANGUAGES) -> None:
        tessdata = next((d for d in TESSDATA_DIRS if all((d / f"{lang}.traineddata").is_file()
                                                          for lang in languages.split("+"))), None)
        try:
            os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # before the library loads: one core
            import tesserocr
        except ImportError:
            tesserocr = None
        if tesserocr is None or tessdata is None:
            self._cli: TesseractCli | None = TesseractCli(languages)
            return
        self._cli = None
        self._api = tesserocr.PyTessBaseAPI(path=str(tessdata) + "/", lang=languages, psm=tesserocr.PSM.AUTO)
        self._api.SetVariable("tessedit_do_invert", "0")  # dark mode is inverted below; saves ~8 %
        self._lock = threading.Lock()

    def lines(self, image: Image.Image) -> list[tuple[str, Box, float]]:
        if self._cli is not None:
            return self._cli.lines(image)
        with self._lock:
            gray = _for_tesseract(image)
            self._api.SetImage(gray)
            tsv = self._api.GetTSVText(0)
            settled = _settled_words(self._api, gray)
        return _tsv_lines(_TSV_HEADER + tsv, settled)


def _settled_words(api, gray: Image.Image) -> dict[tuple[int, int, int, int], str]:
    """Link-like words whose size-ambiguous glyphs were settled (pictures.glyphs), by their TSV box."""
    from tesserocr import RIL, iterate_level
    out: dict[tuple[int, int, int, int], str] = {}
    iterator = api.GetIterator()
    if iterator is None:
        return out
    words: list[tuple[Box, list[str], list[Box]]] = []
    for symbol in iterate_level(iterator, RIL.SYMBOL):
        if symbol.IsAtBeginningOf(RIL.WORD) or not words:
            words.append((symbol.BoundingBox(RIL.WORD) or (0, 0, 0, 0), [], []))
        words[-1][1].append(symbol.GetUTF8Text(RIL.SYMBOL) or "")
        words[-1][2].append(symbol.BoundingBox(RIL.SYMBOL) or (0, 0, 0, 0))
    for (x0, y0, x1, y1), chars, boxes in words:
        word = "".join(chars)
        if len(chars) != len(word) or not glyphs.worth_settling(word):
            continue
        settled = glyphs.settle(word, glyphs.ink_boxes(gray, boxes, (x0, y0, x1, y1)))
        if settled != word:
            out[(x0, y0, x1 - x0, y1 - y0)] = settled
    return out


def _for_tesseract(image: Image.Image) -> Image.Image:
    """Grey, dark text on a light ground: dark mode is inverted (Tesseract reads it far worse)."""
    gray = ImageOps.grayscale(image)
    return ImageOps.invert(gray) if ImageStat.Stat(gray).mean[0] < 110 else gray


def _tsv_lines(tsv: str, settled: dict[tuple[int, int, int, int], str] | None = None
               ) -> list[tuple[str, Box, float]]:
    """Tesseract's word rows grouped into its own lines (block, paragraph, line); `settled` words replaced."""
    groups: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") == "5" and (row.get("text") or "").strip():
            if settled:
                key = tuple(int(row[k]) for k in ("left", "top", "width", "height"))
                row["text"] = settled.get(key, row["text"])  # type: ignore[arg-type]
            groups.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(row)
    out = []
    for words in groups.values():
        x0 = min(int(w["left"]) for w in words)
        y0 = min(int(w["top"]) for w in words)
        x1 = max(int(w["left"]) + int(w["width"]) for w in words)
        y1 = max(int(w["top"]) + int(w["height"]) for w in words)
        confidence = sum(float(w["conf"]) for w in words) / len(words) / 100
        out.append((_join_words(words), (x0, y0, x1, y1), confidence))
    return out


def _join_words(words: list[dict[str, str]]) -> str:
    """Words joined by spaces, except a link Tesseract split where its boxes touch or overlap.

    Random link tokens ("bre.is/YGavQsYU") make Tesseract cut words at case changes; a real space
    is at least a quarter of the line height wide, those cuts are far narrower or negative.
    """
    height = max(int(w["height"]) for w in words)
    text = words[0]["text"]
    for before, word in zip(words, words[1:]):
        gap = int(word["left"]) - (int(before["left"]) + int(before["width"]))
        token = text.rsplit(" ", 1)[-1]
        linkish = "/" in token or token.lower().startswith("www.")
        text += ("" if linkish and gap < _SPLIT_GAP * height else " ") + word["text"]
    return text


@functools.lru_cache(maxsize=None)
def get_engine(name: str = ENGINES[0]) -> OcrEngine:
    """The engine called `name`, loaded once per process."""
    if name == "rapidocr":
        return RapidOcr()
    if name == "tesseract":
        return Tesseract()
    if name == "tesseract-cli":
        return TesseractCli()
    raise ValueError(f"unknown OCR engine {name!r} (known: {', '.join(ENGINES)})")
