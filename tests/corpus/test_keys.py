"""Key normalisation of a corpus: every tune moved to C with its mode, and those that cannot be moved counted."""

from collections import Counter

import pytest

from helpers.abc.fields import KEY_PATTERN
from helpers.abc.music import pitch_sequence
from helpers.abc.reader import header_fields
from helpers.abc.transpose import NO_KEY, NO_TONIC, UNREADABLE_KEY
from helpers.corpus.clean import clean_tunes
from helpers.corpus.keys import normalise_tunes
from helpers.corpus.load import CorpusError, Tune, load_collections

HEADER = "X:{}\nT:Tune {}\nM:6/8\nL:1/8\n"


def key_of(text: str) -> tuple[str, str]:
    """The tonic and mode of a tune's K: field, as written: 'Ador' -> ('A', 'dor')."""
    key = KEY_PATTERN.match(header_fields(text)["K"])
    return key["tonic"], key["mode"]


def check_moved_to_c(old: str, new: str) -> int:
    """The semitones a tune was moved to C by; AssertionError unless every pitch moved by just that, -5..+6."""
    old_pitches, new_pitches = pitch_sequence(old), pitch_sequence(new)
    semitones = new_pitches[0] - old_pitches[0] if old_pitches and new_pitches else 0
    assert -5 <= semitones <= 6, (semitones, old)
    assert new_pitches == [pitch + semitones for pitch in old_pitches], old
    assert key_of(new) == ("C", key_of(old)[1]), (key_of(old), key_of(new))
    return semitones


def test_tunes_are_moved_to_c_and_those_without_a_key_to_move_are_dropped_and_counted():
    tunes = [
        Tune("a", HEADER.format(1, 1) + "K:G\nGAB d2 f|"),
        Tune("a", HEADER.format(2, 2) + "K:none\nGAB d2 f|"),
        Tune("b", HEADER.format(3, 3) + "K:Edor\nE^DE B2 c|"),
        Tune("b", HEADER.format(4, 4) + "GAB d2 f|"),
        Tune("b", HEADER.format(5, 5) + "K:Bn\nGAB d2 f|"),
    ]
    pairs, dropped = normalise_tunes(tunes)
    assert [position for position, _ in pairs] == [0, 2]
    kept = [tune for _, tune in pairs]
    assert kept == [
        Tune("a", HEADER.format(1, 1) + "K:C\ncde g2 b|"),
        Tune("b", HEADER.format(3, 3) + "K:Cdor\nC=B,C G2 A|"),
    ]
    assert dropped == Counter({NO_TONIC: 1, NO_KEY: 1, UNREADABLE_KEY: 1})
    assert check_moved_to_c(tunes[0].text, kept[0].text) == 5
    assert check_moved_to_c(tunes[2].text, kept[1].text) == -4


def test_the_check_catches_a_tune_moved_wrongly():
    old = HEADER.format(1, 1) + "K:G\nGAB d2 f|"
    with pytest.raises(AssertionError):
        check_moved_to_c(old, HEADER.format(1, 1) + "K:C\ncde g2 f|")  # F# became F, not B
    with pytest.raises(AssertionError):
        check_moved_to_c(old, HEADER.format(1, 1) + "K:F\ncde g2 b|")  # the tonic is not C
    with pytest.raises(AssertionError):
        check_moved_to_c(old, HEADER.format(1, 1) + "K:C\nCDE G2 B|")  # -7, not the smaller move +5


def test_nothing_left_or_a_bad_tonic_is_an_error():
    with pytest.raises(CorpusError, match="kept none of the 1 tunes: 1 K:none"):
        normalise_tunes([Tune("a", HEADER.format(1, 1) + "K:none\nABc|")])
    with pytest.raises(ValueError, match="tonic 'c'"):
        normalise_tunes([Tune("a", HEADER.format(1, 1) + "K:G\nABc|")], tonic="c")
    assert normalise_tunes([]) == ([], Counter())


def named(tune: Tune) -> tuple[str, str | None, str | None]:
    """What names a tune in its collection, and survives key normalisation: its source, X: and T:."""
    fields = header_fields(tune.text)
    return tune.source, fields.get("X"), fields.get("T")


@pytest.mark.untraced
def test_every_tune_of_ryans_mammoth_collection_is_moved_exactly_or_dropped():
    tunes, _ = clean_tunes(load_collections(["ryansMammoth"]))
    pairs, dropped = normalise_tunes(tunes)
    kept = [tune for _, tune in pairs]
    assert len(kept) + sum(dropped.values()) == len(tunes)
    assert sum(dropped.values()) < 0.02 * len(tunes), dropped  # 1 of 1,041 when written: K:Dmix=c in its body
    assert all(named(tunes[position]) == named(tune) for position, tune in pairs)
    moves = Counter(check_moved_to_c(tunes[position].text, tune.text) for position, tune in pairs)
    assert len(moves) > 5  # tunes in many keys, moved by many intervals
