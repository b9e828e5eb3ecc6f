"""Explicit, reported cleaning of tunes before they reach the model."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from helpers.abc.reader import field_line, header_fields, split_header_body
from helpers.corpus.load import Tune

# Fields that carry music or its title; the rest (sources, transcriber e-mails, notes, lyrics) are dropped.
KEPT_FIELDS = frozenset("XTMLQKRPV")


@dataclass
class CleaningReport:
    """What cleaning changed and dropped, and why."""

    tunes_in: int = 0
    tunes_out: int = 0
    dropped: Counter = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    transliterated_chars: int = 0
    removed_chars: Counter = field(default_factory=Counter)
    removed_comment_lines: int = 0
    removed_field_lines: Counter = field(default_factory=Counter)

    def drop(self, reason: str, tune: Tune) -> None:
        self.dropped[reason] += 1
        self.examples.setdefault(reason, f"[{tune.source}] {tune.text[:60]!r}")

    def summary(self) -> str:
        """A readable account, one line per kind of change."""
        lines = [f"{self.tunes_in} tunes read, {self.tunes_out} kept."]
        for reason, count in self.dropped.most_common():
            lines.append(f"  dropped {count:5d}: {reason}   e.g. {self.examples[reason]}")
        lines.append(f"  {self.transliterated_chars} accented characters transliterated to ASCII")
        if self.removed_chars:
            shown = ", ".join(f"{ch!r} x{n}" for ch, n in self.removed_chars.most_common(8))
            lines.append(f"  {sum(self.removed_chars.values())} other non-ASCII or control characters removed: {shown}")
        lines.append(f"  {self.removed_comment_lines} comment lines (%) removed")
        if self.removed_field_lines:
            shown = ", ".join(f"{f}: x{n}" for f, n in sorted(self.removed_field_lines.items()))
            lines.append(f"  field lines removed (not in {''.join(sorted(KEPT_FIELDS))}): {shown}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "tunes_in": self.tunes_in,
            "tunes_out": self.tunes_out,
            "dropped": dict(self.dropped),
            "transliterated_chars": self.transliterated_chars,
            "removed_chars": sum(self.removed_chars.values()),
            "removed_comment_lines": self.removed_comment_lines,
            "removed_field_lines": dict(self.removed_field_lines),
        }


def to_ascii(text: str, report: CleaningReport) -> str:
    """ABC is ASCII: accents are transliterated (é -> e), other characters removed and counted."""
    out = []
    for char in text:
        if char == "\n" or " " <= char <= "~":
            out.append(char)
        elif char == "\t":
            out.append(" ")
        else:
            plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            plain = "".join(c for c in plain if " " <= c <= "~")
            if plain:
                report.transliterated_chars += 1
                out.append(plain)
            else:
                report.removed_chars[char] += 1
    return "".join(out)


def clean_lines(text: str, report: CleaningReport) -> str:
    """Drop comment lines, inline comments, trailing spaces and fields outside KEPT_FIELDS."""
    kept = []
    for line in text.split("\n"):
        if line.lstrip().startswith("%"):
            report.removed_comment_lines += 1
            continue
        line = re.sub(r"(?<!\\)%.*$", "", line).rstrip()
        field = field_line(line)
        if field and field[0] not in KEPT_FIELDS:
            report.removed_field_lines[field[0]] += 1
            continue
        if line:
            kept.append(line)
    return "\n".join(kept)


def clean_tunes(tunes: list[Tune]) -> tuple[list[Tune], CleaningReport]:
    """Cleaned tunes, without empty, header-only or duplicate ones, and the report of it all."""
    report = CleaningReport(tunes_in=len(tunes))
    kept: list[Tune] = []
    seen: set[str] = set()
    seen_titles: set[tuple[str, str, str]] = set()
    for tune in tunes:
        text = clean_lines(to_ascii(tune.text, report), report)
        header, body = split_header_body(text)
        if not text.strip():
            report.drop("empty", tune)
        elif not any((field_line(line) or ("",))[0] == "K" for line in header):
            report.drop("no K: field, so no tune body can be found", tune)
        elif not body:
            report.drop("header only, no notes", tune)
        else:
            # Two copies that differ only in their X: number are the same tune.
            key = "\n".join(line for line in text.split("\n") if not line.startswith("X:"))
            fields = header_fields(text)
            title = (tune.source, fields.get("X", ""), fields.get("T", ""))
            if key in seen:
                report.drop("exact duplicate of an earlier tune", tune)
            elif "X" in fields and "T" in fields and title in seen_titles:
                report.drop("second transcription of a tune (same source, X: and T:)", tune)
            else:
                seen.add(key)
                seen_titles.add(title)
                kept.append(Tune(tune.source, text))
    report.tunes_out = len(kept)
    return kept, report
