"""Streaming a large top-level JSON object element by element (the FINESS+ feed), with line numbers."""
from __future__ import annotations

import json
from typing import IO, Any, Iterator

from store.imports import ImportFileError


class JsonStream:
    """Walk a top-level JSON object, yielding (key, value) and each element of array values."""

    def __init__(self, fh: IO[str], chunk: int = 1 << 20) -> None:
        self.fh, self.chunk, self.buf, self.pos, self.line0, self.eof = fh, chunk, "", 0, 1, False
        self.decoder = json.JSONDecoder()

    @property
    def line(self) -> int:
        """Line number of the read position."""
        return self.line0 + self.buf.count("\n", 0, self.pos)

    def _more(self, size: int) -> None:
        if self.pos > self.chunk:
            self.line0 += self.buf.count("\n", 0, self.pos)
            self.buf, self.pos = self.buf[self.pos:], 0
        try:
            data = self.fh.read(size)
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"not UTF-8 JSON ({exc.reason})", self.line) from None
        self.eof = not data
        self.buf += data

    def _char(self) -> str:
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf) or self.eof:
                return self.buf[self.pos:self.pos + 1]
            self._more(self.chunk)

    def _value(self) -> Any:
        self._char()
        size = self.chunk
        while True:
            try:
                value, self.pos = self.decoder.raw_decode(self.buf, self.pos)
                return value
            except json.JSONDecodeError as exc:
                if self.eof or len(self.buf) - exc.pos > 65536:  # a real error, not a cut chunk
                    raise ImportFileError(f"broken JSON ({exc.msg})", self.line) from None
                self._more(size)
                size *= 2

    def _expect(self, chars: str) -> str:
        char = self._char()
        if not char or char not in chars:
            raise ImportFileError(f"broken JSON (expected {' or '.join(chars)}, found {char or 'end of file'!r})",
                                  self.line)
        self.pos += 1
        return char

    def items(self) -> Iterator[tuple[str, Any]]:
        """Yield (key, value) for scalars and objects, (key, element) for each array element."""
        self._expect("{")
        if self._char() == "}":
            return
        while True:
            key = self._value()
            self._expect(":")
            if self._char() == "[":
                self.pos += 1
                if self._char() == "]":
                    self.pos += 1
                else:
                    while True:
                        yield key, self._value()
                        if self._expect(",]") == "]":
                            break
            else:
                yield key, self._value()
            if self._expect(",}") == "}":
                return
