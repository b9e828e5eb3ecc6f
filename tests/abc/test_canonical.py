"""The one canonical ABC: what the rewrite keeps and removes, that a tune it cannot rewrite is refused with its reason,
and, on every tune of every packaged collection, that each canonical tune is accepted by the grammar character by
character, reads back with the same notes and bars, and passes abc2midi without a bar warning."""

import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from helpers.abc import canonical
from helpers.abc.canonical import CanonicalError, canonical_abc, canonical_key
from helpers.abc.grammar import advance, start_state
from helpers.abc.music import read_music
from helpers.analysis.checks import ABC2MIDI_BAR_WARNING, abc2midi_path
from helpers.corpus.canonical import canonical_tunes
from helpers.corpus.clean import CleaningReport, clean_lines, to_ascii
from helpers.corpus.load import FOLK_COLLECTIONS, Tune, load_corpus

NEEDS_ABC2MIDI = pytest.mark.skipif(abc2midi_path() is None, reason="abc2midi is not installed (Debian's abcmidi)")
PRIME = "<start>\n"

# Decorations, a bowing, annotations, a chord symbol, a chord, a '!' line break, a continuation, L:1/16, a long mode
# name, a part label, a repeat, and C| for the meter.
AS_WRITTEN = """X:3
T:The "Test" Reel
C:someone
M:C|
L:1/16
R:reel
K:D Mixolydian
"D"!trill!A2|:(d2f2) .a2"^fine"f2 [d2f2a2]2 ed !\\
c2 | TB2A2 F4 A4 z4 :|
P:B
{g}f2g2 a4- a4 ^g4 | a2b2 c'4 d'8 |]
"""
CANONICAL = """X:3
T:The Test Reel
M:2/2
L:1/8
R:reel
K:Dmix
A|:df af a2 e/d/ c |BA F2 A2 z2 :|
{g}fg a2- a2 ^g2 |ab c'2 d'4 |]"""


def accepted(text: str) -> bool:
    """Whether the grammar accepts the tune, <start> to <end>, character by character."""
    state = start_state(PRIME)
    for char in text + "\n<end>":
        state = advance(state, char)
        if state is None:
            return False
    return state.phase == "done"


def test_the_rewrite_keeps_the_music_and_removes_the_rest():
    assert canonical_abc(AS_WRITTEN) == CANONICAL
    assert accepted(CANONICAL) and not accepted(AS_WRITTEN)
    before, after = read_music(AS_WRITTEN), read_music(CANONICAL)
    assert after.notes == before.notes
    assert [bar.duration for bar in after.bars] == [bar.duration for bar in before.bars]


@pytest.mark.parametrize(
    "written, short",
    [("E Major", "E"), ("D Dorian", "Ddor"), ("Amin", "Am"), ("EM", "Em"), ("G", "G"), ("A mixolydian", "Amix")],
)
def test_long_key_names_are_shortened(written, short):
    assert canonical_key(written) == short


@pytest.mark.parametrize("written", ["none", "HP", "Bn", "D ^g", "Dloc"])
def test_a_key_the_grammar_cannot_write_is_refused(written):
    with pytest.raises(CanonicalError):
        canonical_key(written)


def test_first_and_second_endings_are_kept_as_the_grammar_writes_them():
    text = canonical_abc("X:1\nT:A\nM:2/4\nL:1/8\nK:G\n|:GABc|[1dcBA:|[2dcBG|]\n")
    assert text.endswith("|:GABc|1dcBA:|2dcBG|]") and accepted(text)


def test_a_repeat_from_a_section_start_after_endings_is_refused():
    # abc2midi miscounts the pickup of a section that follows endings and repeats without |: (O'Neill's 826)
    body = "A|GEE cEE|1EAA A/B/cA:|2EAA A2|]^f|g3 ged|EAA A2:|"
    with pytest.raises(CanonicalError) as refused:
        canonical_abc(f"X:1\nT:A\nM:6/8\nL:1/8\nK:Am\n{body}\n")
    assert refused.value.reason == canonical.BAR_REFUSED
    opened = canonical_abc(f"X:1\nT:A\nM:6/8\nL:1/8\nK:Am\n{body.replace('|]^f|', '|]|:^f|')}\n")
    assert accepted(opened)


def test_a_tie_across_a_bar_line_writes_the_accidental_on_both_sides():
    text = canonical_abc("X:1\nT:A\nM:2/4\nL:1/8\nK:G\nGABc-|cBAG|]\n")
    assert text.endswith("GABc-|=cBAG |]") or text.endswith("GAB=c-|=cBAG|]")
    assert accepted(text)


TUNE_HEADER = "X:1\nT:A\nM:2/4\nL:1/8\nK:G\n"
REFUSED_BODIES = [
    ("GABc|dcBAG|]", canonical.LONG_BAR),  # five eighths in a 2/4 bar
    ("GABc|dc|BAGA|]", canonical.BAR_LENGTH),  # a short bar in the middle of the tune
    ("GABc|(5ABcde dcBA|]", canonical.TUPLET),
    ("GABc|Z2|]", canonical.MULTIREST),
    ("GA[Bc|dcBA|]", canonical.UNREADABLE),  # a chord left open
    ("GAB@c|dcBA|]", canonical.UNREADABLE),
    ("{gz}GABc|dcBA|]", canonical.UNREADABLE),  # a rest in a grace group
    ("G>>AB c|dcBA|]", canonical.BROKEN),
    ("GABc>d|cBA|]", canonical.NOTE_REFUSED),  # '>' where the bar is full
    ("GABc|[V:2]dcBA|]", canonical.VOICES),
    ("GABc|[M:3/4]dcB|]", canonical.METER_CHANGES),
    ("GABc|[K:D]dcBA|]", canonical.KEY_CHANGES),
    ("G5/4A3/4 Bc|dcBA|]", canonical.NO_UNIT),  # 5/32 of a whole note
    ("[D2F2]-[D2F2]|GABc|]", canonical.READS_DIFFERENTLY),  # a tied chord: the tie cannot be kept
    ("GABc|dcBA|\n::GABc|dcBA:|", canonical.READS_DIFFERENTLY),  # | then :: would lose a repeat sign
]
REFUSED_HEADERS = [
    ("X:1\nT:A\nM:2/4\nL:1/8\nV:1\nK:G\n", canonical.VOICES),
    ("X:1\nT:A\nL:1/8\nK:G\n", canonical.NO_METER),
]


@pytest.mark.parametrize(
    "tune, reason",
    [(f"{TUNE_HEADER}{body}\n", reason) for body, reason in REFUSED_BODIES]
    + [(f"{header}GABc|dcBA|]\n", reason) for header, reason in REFUSED_HEADERS],
)
def test_a_tune_that_cannot_be_rewritten_is_refused_with_its_reason(tune, reason):
    with pytest.raises(CanonicalError) as refused:
        canonical_abc(tune)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    "body, canonical_body",
    [
        ("(3GAB c2|dcBA|]", "(3GAB c2|dcBA|]"),  # a tuplet and broken rhythm are kept
        ("G>A Bc|dcBA|]", "G>A Bc|dcBA|]"),
        ("|:GABc|dcBA::cdef|gfed:|", "|:GABc|dcBA::cdef|gfed:|"),
        ("GABc|[M:2/4][K:G]dcBA|]", "GABc|dcBA|]"),  # inline fields that change nothing are left out
        ("GABc-|dcBA|]", "GABc|dcBA|]"),  # a tie between two pitches joins nothing
        ("GABc|dcBA", "GABc|dcBA |]"),  # the tune is closed
        ("GABc|dcBA|", "GABc|dcBA|]"),
    ],
)
def test_what_the_grammar_writes_is_kept_and_the_tune_is_closed(body, canonical_body):
    text = canonical_abc(f"{TUNE_HEADER}{body}\n")
    assert text == f"{TUNE_HEADER}{canonical_body}" and accepted(text)


def test_the_corpus_step_counts_what_it_drops():
    tunes = [Tune("mine", AS_WRITTEN), Tune("mine", "X:2\nT:B\nM:5/4\nL:1/8\nK:G\nGABcd|]\n")]
    kept, report = canonical_tunes(tunes)
    assert [(position, tune.text) for position, tune in kept] == [(0, CANONICAL)]
    assert report.dropped == {canonical.METER_OUTSIDE: 1} and "1 canonical" in report.summary()


# ------------------------------------------------------------------------------- every packaged collection


def abc2midi_complaints(texts: list[str]) -> dict[int, list[str]]:
    """abc2midi's errors and bar warnings for each tune (by index) of one file that holds them all."""
    numbered = [re.sub(r"^X:\d+", f"X:{number}", text) for number, text in enumerate(texts, start=1)]
    starts = [1]  # the line each tune begins on: its lines and a blank one after each tune
    for text in numbered:
        starts.append(starts[-1] + text.count("\n") + 2)
    body = "\n\n".join(numbered) + "\n"
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "tunes.abc"
        source.write_text(body, encoding="utf-8")
        result = subprocess.run([abc2midi_path(), source.name], cwd=folder, capture_output=True, text=True)
    complaints: dict[int, list[str]] = {}
    for line in (result.stdout + result.stderr).splitlines():
        match = re.match(r"(Error|Warning) in line-char (\d+)-", line)
        if match and (match[1] == "Error" or ABC2MIDI_BAR_WARNING in line and "in repeat" not in line):
            row = int(match[2])
            index = max((i for i, start in enumerate(starts[:-1]) if start <= row), default=-1)  # -1: no line
            complaints.setdefault(index, []).append(line)
    return complaints


@pytest.fixture(scope="module")
def collections() -> dict[str, list[tuple[str, str]]]:
    """(as written, canonical) of every tune of each packaged collection that becomes canonical (cleaned first)."""
    found = {}
    for name in FOLK_COLLECTIONS:
        report = CleaningReport()
        texts = [clean_lines(to_ascii(tune.text, report), report) for tune in load_corpus(name)]
        pairs = []
        for text in texts:
            try:
                pairs.append((text, canonical_abc(text)))
            except CanonicalError:
                continue
        found[name] = pairs
    return found


@pytest.mark.untraced
@pytest.mark.slow
def test_every_canonical_tune_of_every_collection_is_accepted_and_reads_the_same(collections):
    for name, pairs in collections.items():
        refused = [text for _, text in pairs if not accepted(text)]
        assert not refused, f"the grammar refuses {len(refused)} canonical tunes of {name}, e.g. {refused[0]!r}"
        different = [text for text, rewritten in pairs if read_music(text).notes != read_music(rewritten).notes]
        assert not different, f"{len(different)} tunes of {name} read differently, e.g. {different[0]!r}"
    assert sum(len(pairs) for pairs in collections.values()) > 5000


@pytest.mark.untraced
@pytest.mark.slow
@NEEDS_ABC2MIDI
def test_every_canonical_tune_passes_abc2midi_without_a_bar_warning(collections):
    for name, pairs in collections.items():
        texts = [rewritten for _, rewritten in pairs]
        if not texts:  # the Nottingham sample's two tunes: neither becomes canonical
            continue
        complaints = abc2midi_complaints(texts)
        shown = {texts[index] if index >= 0 else "(no line)": lines for index, lines in list(complaints.items())[:2]}
        assert not complaints, f"abc2midi complains about {len(complaints)} canonical tunes of {name}: {shown}"


@NEEDS_ABC2MIDI
def test_the_abc2midi_check_finds_a_bar_warning():
    good = "X:1\nT:A\nM:6/8\nL:1/8\nK:G\nGAB cBA|GAB cBA|]"
    bad = "X:1\nT:B\nM:6/8\nL:1/8\nK:G\nGAB cBA|GAB cBAB|GAB cBA|]"
    assert list(abc2midi_complaints([good, bad, good])) == [1]
