"""What every format reader shares: the error type and a token stream that remembers line numbers.

Plain Python only: these readers run in the service and CLI processes, which must never load a
solver library.
"""

from collections.abc import Iterator
from pathlib import Path


class FormatError(ValueError):
    """The text is not a valid file of the expected format; the message names the line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


def read_text(path: str | Path) -> str:
    """A file's text; undecodable bytes are replaced so the error points at a line, not a codec."""
    return Path(path).read_text(encoding="utf-8", errors="replace")


class Tokens:
    """Whitespace-separated tokens with their 1-based line numbers (line breaks carry no meaning)."""

    def __init__(self, text: str, comment: str | None = None, first_line: int = 1) -> None:
        self._items: list[tuple[str, int]] = list(_tokenise(text, comment, first_line))
        self._pos = 0

    @property
    def line(self) -> int | None:
        """Line of the next token (or of the last one, at the end)."""
        if self._pos < len(self._items):
            return self._items[self._pos][1]
        return self._items[-1][1] if self._items else None

    def at_end(self) -> bool:
        return self._pos >= len(self._items)

    def remaining(self) -> int:
        return len(self._items) - self._pos

    def next(self, what: str) -> tuple[str, int]:
        if self._pos >= len(self._items):
            raise FormatError(f"file ends early: expected {what}", self.line)
        token = self._items[self._pos]
        self._pos += 1
        return token

    def int(self, what: str, minimum: int | None = None) -> int:
        token, line = self.next(what)
        value = parse_int(token, what, line)
        if minimum is not None and value < minimum:
            raise FormatError(f"{what} must be >= {minimum}, got {value}", line)
        return value

    def float(self, what: str) -> float:
        token, line = self.next(what)
        return parse_float(token, what, line)

    def expect_end(self, what: str) -> None:
        if not self.at_end():
            token, line = self._items[self._pos]
            raise FormatError(f"unexpected data {token!r} after {what}", line)


def _tokenise(text: str, comment: str | None, first_line: int) -> Iterator[tuple[str, int]]:
    for number, line in enumerate(text.splitlines(), start=first_line):
        if comment is not None:
            line = line.split(comment, 1)[0]
        for token in line.split():
            yield token, number


def parse_float(token: str, what: str, line: int | None) -> float:
    """A real number as the classic files write it (`7500.`, `.00000`, `1.2e+03`); finite only."""
    try:
        value = float(token)
    except ValueError:
        raise FormatError(f"{what}: {token!r} is not a number", line) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise FormatError(f"{what}: {token!r} is not a finite number", line)
    return value


def parse_int(token: str, what: str, line: int | None) -> int:
    """An integer; `12.` or `12.0` are accepted, `12.5` is an error."""
    try:
        return int(token)
    except ValueError:
        pass
    value = parse_float(token, what, line)
    if not value.is_integer():
        raise FormatError(f"{what}: {token!r} is not an integer", line)
    return int(value)
