"""Small facts read straight from the text of one ABC tune."""

from __future__ import annotations

import re

# The assignment's tune delimiters: each tune of a text to learn from is <start> ... <end>.
START, END = "<start>", "<end>"

FIELD_LINE = re.compile(r"^([A-Za-z]):\s*(.*)$")


def field_line(line: str) -> tuple[str, str] | None:
    """('K', 'G') for a line 'K: G', or None when the line is not an information field."""
    match = FIELD_LINE.match(line)
    return (match.group(1), match.group(2).strip()) if match else None


def split_header_body(tune: str) -> tuple[list[str], list[str]]:
    """Header lines up to and including the first K: field, and the body lines after it."""
    lines = tune.split("\n")
    for index, line in enumerate(lines):
        field = field_line(line)
        if field and field[0] == "K":
            return lines[: index + 1], [line for line in lines[index + 1 :] if line.strip()]
    return lines, []


def header_fields(tune: str) -> dict[str, str]:
    """The first value of each header field, e.g. {'X': '1', 'M': '6/8', 'K': 'G'}."""
    fields: dict[str, str] = {}
    for line in split_header_body(tune)[0]:
        field = field_line(line)
        if field:
            fields.setdefault(*field)
    return fields
