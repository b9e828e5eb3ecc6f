"""Explicit, reported cleaning of tunes before they reach the model."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from helpers.abc.fields import parse_meter, parse_unit_length
from helpers.abc.music import MusicReader, TuneMusic, read_music
from helpers.abc.reader import Token, read_tune, token_field, token_lines
from helpers.corpus.load import CorpusError, Tune

__all__ = ["clean_tunes"]

# Fields that carry music or its title; the rest (sources, transcriber e-mails, notes, lyrics) are dropped.
KEPT_FIELDS = frozenset("XTMLQKRPV")
# Fields whose value the reader needs to time the notes: one that does not parse (M:0/4, L:1/0) is removed.
TIMING_FIELDS = {"M": parse_meter, "L": parse_unit_length}


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
    unreadable_fields: Counter = field(default_factory=Counter)  # 'M:0/4 (why)': how often removed

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
        for reason, count in self.unreadable_fields.most_common():
            lines.append(f"  unreadable field removed {count:5d}: {reason}")
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
            "unreadable_fields": dict(self.unreadable_fields),
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


def unreadable_timing(token: Token) -> str | None:
    """Why a field or inline field of meter or unit length cannot be read ('M:0/4 (meter ...)'), else None."""
    if token.kind not in ("field", "inline_field"):
        return None
    name, value = token_field(token)
    if name not in TIMING_FIELDS:
        return None
    try:
        TIMING_FIELDS[name](value)
    except ValueError as error:
        return f"{name}:{value} ({error})"
    return None


def clean_lines(text: str, report: CleaningReport) -> str:
    """Drop comment lines, inline comments, trailing spaces, fields outside KEPT_FIELDS and unreadable M:/L: fields."""
    tune = read_tune(text)
    kept = []
    for line in token_lines((*tune.header, *tune.body)):
        reasons = [reason for token in line if (reason := unreadable_timing(token))]
        if reasons:
            report.unreadable_fields.update(reasons)
            line = [token for token in line if not unreadable_timing(token)]
        kinds = {token.kind for token in line}
        if "comment" in kinds and kinds <= {"comment", "space"}:
            report.removed_comment_lines += 1
            continue
        if line and line[0].kind == "field" and token_field(line[0])[0] not in KEPT_FIELDS:
            report.removed_field_lines[token_field(line[0])[0]] += 1
            continue
        cleaned = "".join(token.text for token in line if token.kind != "comment").rstrip()
        if cleaned:
            kept.append(cleaned)
    return "\n".join(kept)


def same_music_key(text: str) -> tuple:
    """What two copies of one tune share however they are written: the steps between its notes and their lengths.

    The same tune in two collections (or twice in one under two numbers) often differs in title, key, unit length,
    spacing or line breaks; its intervals and durations (in whole notes) do not.
    """
    return music_key(read_music(text))


def music_key(music: TuneMusic) -> tuple:
    """same_music_key of a tune already read."""
    notes = music.notes
    pitches = [note.pitch for note in notes if note.pitch is not None]
    steps = tuple(later - earlier for earlier, later in zip(pitches, pitches[1:], strict=False))
    return steps, tuple(note.duration for note in notes)


def clean_tunes(tunes: list[Tune]) -> tuple[list[Tune], CleaningReport]:
    """Cleaned tunes, without empty, header-only or duplicate ones (also across collections), and the report.

    CorpusError if none is left.
    """
    report = CleaningReport(tunes_in=len(tunes))
    kept: list[Tune] = []
    seen: set[str] = set()
    seen_titles: set[tuple[str, str, str]] = set()
    seen_music: dict[tuple, str] = {}  # the notes of each kept tune, and the collection it came from
    for tune in tunes:
        text = clean_lines(to_ascii(tune.text, report), report)
        read = read_tune(text)
        if not text.strip():
            report.drop("empty", tune)
        elif "K" not in read.fields:
            report.drop("no K: field, so no tune body can be found", tune)
        elif not text[read.body_start :].strip():
            report.drop("header only, no notes", tune)
        else:
            # Two copies that differ only in their X: number are the same tune.
            key = "\n".join(line for line in text.split("\n") if not line.startswith("X:"))
            fields = read.fields
            title = (tune.source, fields.get("X", ""), fields.get("T", ""))
            music = music_key(MusicReader(fields).read(read.body))  # the tune read once, not twice
            if key in seen:
                report.drop("exact duplicate of an earlier tune", tune)
            elif "X" in fields and "T" in fields and title in seen_titles:
                report.drop("second transcription of a tune (same source, X: and T:)", tune)
            elif music in seen_music:
                report.drop(f"the same notes as a tune of {seen_music[music]} (in any key, any title)", tune)
            else:
                seen.add(key)
                seen_titles.add(title)
                seen_music.setdefault(music, tune.source)
                kept.append(Tune(tune.source, text))
    report.tunes_out = len(kept)
    if not kept:
        reasons = "; ".join(f"{count} {reason}" for reason, count in report.dropped.most_common())
        raise CorpusError(f"cleaning kept none of the {len(tunes)} tunes read: {reasons or 'no tunes were given'}")
    return kept, report
