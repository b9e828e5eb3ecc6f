"""Small LaTeX writers for the report's generated tables and text."""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_macros"]

REPLACEMENTS = (
    ("\\", r"\textbackslash{}"),
    ("&", r"\&"),
    ("%", r"\%"),
    ("_", r"\_"),
    ("#", r"\#"),
    ("$", r"\$"),
    ("{", r"\{"),
    ("}", r"\}"),
    ("^", r"\^{}"),
    ("~", r"\~{}"),
)


def latex_escape(text: str) -> str:
    """Text safe anywhere in LaTeX's text mode."""
    replacements = dict(REPLACEMENTS)
    return "".join(replacements.get(char, char) for char in text)


def latex_text(text: str) -> str:
    """latex_escape, plus the ABC symbols < > | [ ] and typographic quotes: plain text safe in a table cell."""
    escaped = latex_escape(text)
    # [ at the start of a table row would be read as the optional argument of the \\ before it.
    symbols = (("<", r"\textless{}"), (">", r"\textgreater{}"), ("|", r"\textbar{}"), ("[", "{[}"), ("]", "{]}"))
    for char, command in symbols:
        escaped = escaped.replace(char, command)
    opening = True
    while '"' in escaped:
        escaped = escaped.replace('"', "``" if opening else "''", 1)
        opening = not opening
    return escaped


def group_header(groups: list[tuple[str, int]]) -> list[str]:
    """A header row that spans each named group over its columns, with a rule under each name."""
    spans, rules, start = [], [], 1
    for name, width in groups:
        spans.append(rf"\multicolumn{{{width}}}{{c}}{{{name}}}" if name else " & ".join([""] * width))
        if name:
            rules.append(rf"\cmidrule(lr){{{start}-{start + width - 1}}}")
        start += width
    return [" & ".join(spans) + r" \\", "".join(rules)]


def latex_table(
    header: list[str],
    rows: list[list[str]],
    caption: str,
    label: str,
    column_gap: str | None = None,
    groups: list[tuple[str, int]] | None = None,
) -> str:
    """A booktabs table; cells are used as given (escape text with latex_escape first).

    column_gap (e.g. "4pt") narrows the space between columns, so that a table with many fits the page.
    groups, e.g. [("", 2), ("trained", 3)], adds a row above the header naming consecutive columns ("": none).
    """
    if groups is not None and sum(width for _, width in groups) != len(header):
        raise ValueError(f"the groups {groups} span {sum(w for _, w in groups)} columns; the header has {len(header)}")
    gap = rf"\setlength{{\tabcolsep}}{{{column_gap}}}" if column_gap else ""
    lines = [
        r"\begin{table}[ht]",
        r"\centering\small" + gap,
        rf"\caption{{{caption}}}",
        rf"\label{{{label}}}",
        # Wide tables shrink to the text width; narrow ones keep their size.
        r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%",
        r"\begin{tabular}{" + "l" * 2 + "r" * (len(header) - 2) + "}",
        r"\toprule",
        *(group_header(groups) if groups else []),
        " & ".join(header) + r" \\",
        r"\midrule",
        *(" & ".join(row) + r" \\" for row in rows),
        r"\bottomrule",
        r"\end{tabular}}",
        r"\end{table}",
    ]
    return "\n".join(lines) + "\n"


def latex_count(value: int) -> str:
    """An integer with LaTeX thousands separators: 28391 -> 28{,}391."""
    return f"{value:,}".replace(",", "{,}")


def write_macros(path: Path, values: dict) -> None:
    """Numbers for the report's text as macros: {"baselineValLoss": 1.468} -> \\newcommand{\\baselineValLoss}{1.468}.

    Floats get three decimals, integers thousands separators, text is escaped.
    """

    def shown(value) -> str:
        if isinstance(value, float):
            return f"{value:.3f}"
        if isinstance(value, int):
            return latex_count(value)
        return latex_escape(str(value))

    lines = [f"\\newcommand{{\\{name}}}{{{shown(value)}}}" for name, value in values.items()]
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
