"""The grammar of valid-by-construction ABC: what it allows after hand-made tune beginnings, that its completion
ends every tune it can reach, and that the package's checker, music21 and abc2midi read every tune it accepts as
valid."""

import random
from pathlib import Path

import music21
import pytest
from tune_checks import form_problems, tune_problems

from helpers.abc.fields import parse_key
from helpers.abc.grammar import (
    FORMS,
    KEYS,
    MUSIC21_MISREADS,
    Completion,
    TuneState,
    advance,
    max_completion,
    parse_form,
    start_state,
)
from helpers.analysis.checks import abc2midi_path
from helpers.corpus.vocab import Vocabulary

# The characters of the shipped model's vocabulary (the unknown symbol left out): what a sampler may write.
ALPHABET = Vocabulary.load(Path(__file__).resolve().parents[2] / "models" / "best" / "vocab.json").chars[1:]
PRIME = "<start>\n"
HEADER = "X:1\nT:A\nM:6/8\nL:1/8\nK:G\n"
FULL_BAR = "GAB cBA|GAB cBA"  # the second bar is full; the first is not a pickup, so no short bar may close
NOTE_LETTERS = set("ABCDEFGabcdefg")
NEEDS_ABC2MIDI = pytest.mark.skipif(abc2midi_path() is None, reason="abc2midi is not installed (Debian's abcmidi)")


def state_after(body: str, header: str = HEADER, form: str = "free") -> TuneState:
    """The grammar's state after <start>, the header and this much of the body, for a tune of this form; the text
    must be valid so far."""
    state = advance(start_state(PRIME, form), header + body)
    assert state is not None, f"the grammar refuses {header + body!r}, a valid beginning"
    return state


def allowed_after(body: str, header: str = HEADER) -> set[str]:
    """The characters of the alphabet that the grammar allows after this text."""
    state = state_after(body, header)
    return {char for char in ALPHABET if advance(state, char) is not None}


def random_walk(rng: random.Random, steps: int) -> list[tuple[str, TuneState]]:
    """(body so far, state) after each of `steps` characters drawn uniformly among those the grammar allows.

    The walk never begins <end> ('<' may still come as broken rhythm), and it ends a header line half the times
    it may, so that most steps fall in the body.
    """
    text, state, visited = "", start_state(PRIME), []
    for _ in range(steps):
        options = [
            (char, following)
            for char in ALPHABET
            if (following := advance(state, char)) is not None and following.phase in ("header", "body")
        ]
        assert options, f"the grammar allows no character after {PRIME + text!r}"
        newline = [option for option in options if option[0] == "\n"]
        char, state = newline[0] if state.phase == "header" and newline and rng.random() < 0.5 else rng.choice(options)
        text += char
        visited.append((text, state))
    return visited


@pytest.fixture(scope="module")
def walks() -> list[list[tuple[str, TuneState]]]:
    """30 random walks of 40 to 300 characters, from a fixed seed."""
    rng = random.Random(0)
    return [random_walk(rng, rng.randint(40, 300)) for _ in range(30)]


# Beginnings in a first ending, a second one and after both, for walks that write endings often.
ENDING_HEADS = ("|:GAB cBA|1", "D|:GAB cBA|1GAB cBA:|2", "D|GAB cBA|1GAB cB:|2GAB c2", "GAB cBA|1GAB cBA:|2GAB cBA|]|:")


@pytest.fixture(scope="module")
def ending_walks() -> list[list[tuple[str, TuneState]]]:
    """10 walks of up to 200 characters from each of ENDING_HEADS, drawing bar lines and ending digits 20 times as
    often as other characters, from a fixed seed; each stops at the tune's end."""
    rng, walks = random.Random(1), []
    for head in ENDING_HEADS:
        for _ in range(10):
            text, state, visited = head, state_after(head), []
            while len(visited) < 200 and state.phase != "done":
                options = [(char, following) for char in ALPHABET if (following := advance(state, char)) is not None]
                assert options, f"the grammar allows no character after {PRIME + HEADER + text!r}"
                char, state = rng.choices(options, [20 if char in "|:12" else 1 for char, _ in options])[0]
                text += char
                visited.append((text, state))
            walks.append(visited)
    return walks


# ------------------------------------------------------------------------------------------ the mask, by hand


def test_a_full_bar_allows_a_bar_line_but_no_note_that_would_overflow():
    # After the last note of a full bar: a bar line, a space, and what adds no time (A, A- A/ A3/4); no '2'.
    assert {"|", ":", " "} <= allowed_after(FULL_BAR) <= {"|", ":", " ", ",", "-", "/", "3"}
    assert allowed_after(FULL_BAR + " ") == {"|", ":"}
    assert advance(state_after(FULL_BAR), "3|") is None  # A3 overflows
    # An open slur must close first: no bar line until ')'.
    assert allowed_after("GAB cBA|GAB c(BA ") == {")"}
    assert ")" in allowed_after("GAB cBA|GAB c(BA")
    # One eighth left: A fits, A2 does not.
    one_left = state_after("GAB cBA|GAB cB")
    assert NOTE_LETTERS <= allowed_after("GAB cBA|GAB cB") and advance(one_left, "A|") is not None
    assert advance(one_left, "A2") is None
    assert advance(one_left, "A/|") is None  # a short bar that is not a pickup


def test_the_header_comes_in_order_and_k_ends_it():
    assert allowed_after("", header="") == {"X"}
    assert "K" not in allowed_after("", header="X:1\n")
    assert "K" not in allowed_after("", header="X:1\nT:A\n")
    assert "K" in allowed_after("", header="X:1\nT:A\nM:6/8\n")
    body = state_after("")
    for field in "XTMLRK":
        assert advance(body, f"{field}:") is None, f"{field}: was read as a header field after K:"


@pytest.mark.parametrize(
    "line, accepted",
    [("M:6/8", True), ("M:7/0", False), ("M:abc", False), ("K:Gdor", True), ("K:Am", True), ("K:H", False)],
)
def test_meter_and_key_values_must_parse(line, accepted):
    header = "X:1\nT:A\n" + ("" if line.startswith("M") else "M:6/8\n") + line + "\n"
    assert (advance(start_state(PRIME), header) is not None) is accepted


def music21_misreads(key: str) -> bool:
    """Whether music21 gives the notes C D E F G A B under K:key other accidentals than the package's reader."""
    score = music21.converter.parse(f"X:1\nT:A\nM:7/8\nL:1/8\nK:{key}\nCDEFGAB|\n", format="abc")
    signature = parse_key(key)
    expected = [signature.get(letter, 0) for letter in "CDEFGAB"]
    return [int(note.pitch.alter) for note in score.recurse().notes] != expected


def test_music21_reads_every_key_of_the_grammar_as_the_reader_does():
    assert len(KEYS) > 100
    assert [key for key in KEYS if music21_misreads(key)] == []


def test_the_keys_music21_misreads_are_recorded_and_refused():
    # music21 reads a locrian key as the major key of its tonic (K:Dloc as D major), and K:Fblyd as F major.
    assert {"Dloc", "Aloc", "Fblyd"} <= MUSIC21_MISREADS
    assert all(music21_misreads(key) for key in MUSIC21_MISREADS), "music21 now reads a recorded key right"
    for key in MUSIC21_MISREADS:
        assert advance(start_state(PRIME), f"X:1\nT:A\nM:6/8\nK:{key}\n") is None, f"the grammar allows K:{key}"


def test_end_comes_only_after_a_bar_line_that_closes_a_section():
    assert "<" not in allowed_after("GAB cBA|")
    assert "<" in allowed_after("GAB cBA|GAB cBA|]")
    assert advance(state_after("GAB cBA|GAB cBA|]"), "<end>").phase == "done"
    # Not while a repeat is open; after :| it may.
    assert "<" not in allowed_after("|:GAB cBA|GAB cBA|")
    assert "<" not in allowed_after("|:GAB cBA::")  # :: closes a section and opens the next repeat
    assert advance(state_after("|:GAB cBA|GAB cBA:|"), "<end>").phase == "done"
    # Nothing follows <end>.
    assert advance(state_after("GAB cBA|]"), "<end>\n") is None


def test_broken_rhythm_pairs_notes_of_one_written_length():
    assert advance(state_after("GAB cBA|"), "A2>B2 c2|") is not None
    assert "2" in allowed_after("GAB cBA|A2>B")
    assert "2" not in allowed_after("GAB cBA|A>B")
    assert advance(state_after("GAB cBA|A2>B"), "|") is None
    assert advance(state_after("GAB cBA|A2>B"), " ") is None
    # No broken rhythm without a note before it.
    assert ">" not in allowed_after("GAB cBA|")


def test_a_tie_joins_equal_notes():
    assert advance(state_after("GAB c-"), "cA|") is not None
    assert allowed_after("GAB c-") & (NOTE_LETTERS | {"z"}) == {"c"}
    assert advance(state_after("GAB c-"), "d") is None


def test_endings_come_as_a_first_after_a_bar_line_and_a_second_after_its_repeat():
    assert advance(state_after("|:GAB cBA|1 GAB cBA:|2 GAB cBA"), "|]<end>") is not None
    assert advance(state_after("|:GAB cBA|1 GAB cBA"), "||") is None  # a first ending ends with :|2
    assert advance(state_after("|:GAB cBA|1 GAB cBA"), ":|G") is None
    assert advance(state_after("|:GAB cBA"), ":|2") is None  # no second ending without a first
    assert advance(state_after("|:GAB cBA:|GAB cBA"), "|1") is None  # no first ending after the repeat closed
    assert advance(state_after("|:GAB cBA|1 GAB cBA:|2 GAB cBA"), "|1") is None  # one pair per repeat


def test_a_pickup_leads_in_but_a_short_bar_later_is_refused():
    assert advance(state_after(""), "D|GAB cBA|") is not None
    assert advance(state_after("D|GAB"), "|") is None


@NEEDS_ABC2MIDI
@pytest.mark.parametrize(
    "meter, body, must_accept",
    [
        ("2/4", "GABc|(3ABc d d|GABc|]", True),
        ("2/4", "GABc|(3ABc>d d|GABc|]", False),  # broken rhythm from a tuplet's last note
        # A tie over a bar line from a note that an accidental earlier in the bar alters (=F in G major): abc2midi
        # carries the accidental over a plain bar line, but not over :: nor from a roll; written again, it is fine.
        ("6/8", "GAB c=F~F-|FFF cBA|]", False),
        ("6/8", "|:GAB c=FF-::FFF cBA:|", False),
        ("6/8", "GAB c=F~=F-|=FFF cBA|]", True),
        ("6/8", "|:GAB c_F=F-::=FFF cBA:|", True),
        # A short bar that completes the pickup closes a section with ::, and the pickup comes again after it:
        # abc2midi joins them only when the section holds a whole bar too.
        ("6/8", "D|:GAB cBA|GAB cB::D|GAB cBA:|", True),
        ("6/8", "D|GAB cBA|:GAB cB::D|GAB cBA:|", False),
        ("6/8", "GAB cBA|GA>B cBA|GAB cBA|GAB cBA|]", True),
        ("6/8", "GAB cBA|GA>~B cBA|GAB cBA|GAB cBA|]", False),  # a roll after broken rhythm
        # First and second endings, with full bars, and with short last bars that complete the pickup.
        ("6/8", "|:GAB cBA|1 GAB cBA:|2 GAB c2A||", True),
        ("6/8", "GAB cBA|GAB cBA|1 GAB cBA:|2 GAB c2A|]", True),
        ("6/8", "D|:GAB cBA|GAB cBA|1 GAB cB:|2 GAB c2||D|GAB cBA|GAB cB|]", True),
        ("6/8", "D|:GAB cBA|GAB cBA|1 GAB cB:|2 GAB cBA|]", True),
        # After endings, a repeat of a section with a pickup needs its |: (abc2midi counts the pickup alone).
        ("6/8", "D|GAB cBA|1GAB cB:|2GAB c2|]D|GAB cBA|GAB cB:|", False),
        ("6/8", "D|GAB cBA|1GAB cB:|2GAB c2|]|:D|GAB cBA|GAB cB:|", True),
        # abc2midi miscounts a roll in a duplet and cannot pair a rolled dotted note with broken rhythm.
        ("6/8", "GAB cBA|(2~g2f2|GAB cBA|]", False),
        ("6/8", "GAB cBA|(2g2f2|GAB cBA|]", True),
        ("6/8", "GAB cBA|~d3>D3|GAB cBA|]", False),
        ("6/8", "GAB cBA|~d3-d3|GAB cBA|]", True),
    ],
)
def test_a_tune_the_grammar_accepts_reads_as_valid_everywhere(meter, body, must_accept):
    """Each tune is either refused by the grammar or valid for the checker, music21 and abc2midi."""
    abc = f"X:1\nT:A\nM:{meter}\nL:1/8\nK:G\n{body}\n"
    state = advance(start_state(PRIME), abc + "<end>")
    accepted = state is not None and state.phase == "done"
    assert accepted or not must_accept, f"the grammar refuses the valid tune {abc!r}"
    if accepted:
        assert tune_problems(abc) == [], f"the grammar accepts {abc!r}"


# ----------------------------------------------------------------------------------------------- completion


@pytest.mark.untraced
def test_the_completion_ends_the_tune_from_every_state_of_random_walks(walks):
    completion = Completion(ALPHABET)
    for walk in walks:
        for text, state in walk:
            ending = completion.text(state)
            assert ending is not None, f"no completion after {PRIME + text!r}"
            assert advance(state, ending).phase == "done", f"{ending!r} does not end {PRIME + text!r}"
            assert len(ending) == completion.length(state), f"after {PRIME + text!r}"


@pytest.mark.untraced
def test_through_endings_the_completion_ends_every_state_and_its_first_character_keeps_it(ending_walks):
    # What keeps a sampler's rows within their length budget: the completion's own next character leaves a
    # completion one character shorter, so a row at its budget always has a character (no dead end after |1).
    completion = Completion(ALPHABET)
    assert sum("|1" in walk[-1][0] for walk in ending_walks) >= 20 and sum(
        ":|2" in walk[-1][0] for walk in ending_walks
    )
    for walk in ending_walks:
        for text, state in walk:
            length, ending = completion.length(state), completion.text(state)
            assert ending is not None and advance(state, ending).phase == "done", f"no completion after {text!r}"
            if ending:
                following = completion.length(advance(state, ending[0]))
                assert following == length - 1, f"after {text!r}: {length} characters, then {following}"


def test_every_tune_written_through_endings_and_its_completion_is_valid(ending_walks):
    completion = Completion(ALPHABET)
    tunes = [
        HEADER + (text + completion.text(state)).removesuffix("<end>") + "\n"
        for text, state in (w[-1] for w in ending_walks)
    ]
    invalid = {abc: problems for abc in tunes if (problems := tune_problems(abc))}
    assert not invalid, f"{len(invalid)} of {len(tunes)} tunes written through endings are invalid, e.g. {invalid}"


def test_the_completion_writes_only_the_alphabet():
    state = state_after(FULL_BAR)
    assert Completion(ALPHABET).text(state) == "|]<end>"
    assert Completion(set(ALPHABET) - set("]:")).text(state) == "||<end>"
    without_end = Completion(set(ALPHABET) - {"<"})
    assert without_end.text(state) is None and without_end.length(state) is None


def test_the_completion_closes_an_open_repeat():
    assert Completion(ALPHABET).text(state_after("|:" + FULL_BAR)) == ":|<end>"


# ----------------------------------------------------------------------------------- tunes the grammar writes


def test_every_tune_of_a_random_walk_and_its_completion_is_valid(walks):
    completion = Completion(ALPHABET)
    tunes = [
        (text + completion.text(state)).removesuffix("<end>") + "\n" for text, state in (walk[-1] for walk in walks)
    ]
    invalid = {abc: problems for abc in tunes if (problems := tune_problems(abc))}
    assert not invalid, f"{len(invalid)} of {len(tunes)} tunes the grammar wrote are invalid, e.g. {invalid}"


def test_the_checks_fail_on_a_tune_the_grammar_refuses():
    abc = HEADER + "D|GAB|GAB cBA|]\n"
    assert advance(start_state(PRIME), abc) is None
    assert tune_problems(abc) != []


# ----------------------------------------------------------------------------------------------------- form


EIGHT_BARS = "|".join(["GAB cBA"] * 8)


def test_a_form_names_its_parts_as_played_and_its_bars():
    assert parse_form("free") == ((), 0)
    assert parse_form("AABB") == ((True, True), 8)
    assert parse_form("AB16") == ((False, False), 16)
    assert parse_form("AAB") == ((True, False), 8)
    assert all(parse_form(form) for form in FORMS)
    for wrong in ("", "BA", "AAAB", "ABD", "aabb", "AABB0", "AABB17", "AABBCCDDEE", "AABB 8"):
        with pytest.raises(ValueError, match="form"):
            parse_form(wrong)
    with pytest.raises(TypeError, match="form must be a str"):
        parse_form(8)


def test_a_part_closes_after_its_bars_as_it_is_played():
    seven = "|".join(["GAB cBA"] * 7)
    assert advance(state_after(seven, form="AABB"), ":|") is None  # 7 bars
    assert advance(state_after(seven, form="AABB"), "|GAB") is not None
    eight = state_after(EIGHT_BARS, form="AABB")
    assert advance(eight, ":|") is not None
    assert advance(eight, "|G") is None and advance(eight, "||") is None and advance(eight, "|]") is None  # played once
    assert advance(state_after(EIGHT_BARS, form="AB"), "||") is not None
    assert advance(state_after(EIGHT_BARS, form="AB"), ":|") is None  # played twice
    assert advance(state_after("", form="AB"), "|:") is None  # |: opens only a part played twice
    assert advance(state_after("|:" + EIGHT_BARS, form="AABB"), ":|") is not None
    # the pickup is not a bar, and the short bar that completes it is the part's last
    assert advance(state_after("D|" + "|".join(["GAB cBA"] * 7) + "|GAB cB", form="AABB"), ":|") is not None
    assert advance(state_after("D|" + "|".join(["GAB cBA"] * 6) + "|GAB cB", form="AABB"), ":|") is None


def test_the_tune_ends_right_after_its_last_part():
    one = state_after(EIGHT_BARS + ":|", form="AABB")
    assert not {"<"} & {char for char in ALPHABET if advance(one, char) is not None}  # a part is still to come
    assert advance(one, "|:" + EIGHT_BARS + ":|<end>").phase == "done"
    done = state_after(EIGHT_BARS + ":|" + "|:" + EIGHT_BARS + ":|", form="AABB")
    assert {char for char in ALPHABET if advance(done, char) is not None} <= {"<", " ", "\n"}
    # no tie out of the last bar: no note follows it
    last_bar = EIGHT_BARS + "||" + "|".join(["GAB cBA"] * 7) + "|GAB cB^c"
    assert advance(state_after(last_bar, form="AB"), "-") is None and advance(state_after(last_bar), "-")
    assert advance(state_after(last_bar.replace("|GAB cB^c", "|GAB c^c"), form="AB"), "-^c|]<end>").phase == "done"
    # after a :| a part played twice repeats only from its |:
    assert advance(one, "GAB") is None and advance(one, EIGHT_BARS + ":|") is None


def test_a_second_ending_is_as_long_as_the_first():
    head = "|".join(["GAB cBA"] * 7) + "|1GAB cBA:|2GAB cBA"
    assert advance(state_after(head, form="AABB"), ":|") is None  # the second ending closes with || or |]
    assert advance(state_after(head, form="AABB"), "||") is not None
    assert advance(state_after(head, form="AABB"), "|GAB") is None  # a second bar in the second ending
    two = "|".join(["GAB cBA"] * 6) + "|1GAB cBA|GAB cBA:|2GAB cBA"
    assert advance(state_after(two, form="AABB"), "||") is None and advance(state_after(two, form="AABB"), "|G")


def test_the_form_checks_fail_on_a_tune_of_another_form():
    abc = HEADER + EIGHT_BARS + ":|" + "|:" + EIGHT_BARS + ":|\n"
    assert form_problems(abc, "AABB") == []
    assert form_problems(abc, "AB") != [] and form_problems(abc, "AABB16") != []
    assert form_problems(HEADER + EIGHT_BARS + ":|" + EIGHT_BARS.removesuffix("|GAB cBA") + "||\n", "AABB") != []


def form_walk(rng: random.Random, form: str, header: str, limit: int) -> list[tuple[str, TuneState]]:
    """(body so far, state) after each character of a tune of this form, drawn as a sampler with a length budget of
    limit characters draws (bar lines and ending digits 20 times as often as other characters) until <end>."""
    completion = Completion(ALPHABET)
    text, state, visited = "", state_after("", header, form), []
    while state.phase != "done":
        options = [
            (char, following)
            for char in ALPHABET
            if (following := advance(state, char)) is not None and completion.length(following) < limit - len(text)
        ]
        assert options, f"the grammar allows no character after {header + text!r} in the form {form}"
        char, state = rng.choices(options, [20 if char in "|:12" else 1 for char, _ in options])[0]
        text += char
        visited.append((text, state))
    return visited


FORM_HEADERS = ("X:1\nT:A\nM:6/8\nL:1/8\nK:G\n", "X:1\nT:A\nM:4/4\nL:1/8\nK:D\n", "X:1\nT:A\nM:12/8\nL:1/16\nK:Ador\n")


@pytest.fixture(scope="module")
def form_walks() -> dict[str, list[list[tuple[str, TuneState]]]]:
    """For AABB, AB16 and AAB: a tune from each of FORM_HEADERS with a budget of 700 characters, from a fixed seed."""
    rng = random.Random(2)
    return {form: [form_walk(rng, form, header, 700) for header in FORM_HEADERS] for form in ("AABB", "AB16", "AAB")}


@pytest.mark.untraced
def test_every_tune_written_in_a_form_has_it_and_is_valid(form_walks):
    for form, walks in form_walks.items():
        for header, walk in zip(FORM_HEADERS, walks, strict=True):
            abc = header + walk[-1][0].removesuffix("<end>") + "\n"
            assert form_problems(abc, form) == [], abc
            assert tune_problems(abc) == [], abc


@pytest.mark.untraced
def test_in_a_form_the_completion_ends_every_state_within_its_bound_and_its_first_character_keeps_it(form_walks):
    completion = Completion(ALPHABET)
    for form, walks in form_walks.items():
        for header, walk in zip(FORM_HEADERS, walks, strict=True):
            for text, state in walk[::7]:
                length, ending = completion.length(state), completion.text(state)
                assert ending is not None and advance(state, ending).phase == "done", f"after {header + text!r}"
                assert length <= max_completion(state)
                assert form_problems(header + (text + ending).removesuffix("<end>") + "\n", form) == []
                if ending:
                    assert completion.length(advance(state, ending[0])) == length - 1, f"after {header + text!r}"
