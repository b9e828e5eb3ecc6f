"""Copying from the training set: longest shared passage (characters, bars), shared 8-note sequences, and the
same on intervals, which find a copy in another key."""

import random
import time

import pytest

from helpers.abc.music import pitch_sequence
from helpers.analysis.novelty import SuffixAutomaton, TrainingIndex, bar_texts, intervals, ngrams, tune_body

JIG = "X:1\nT:The Test Jig\nM:6/8\nL:1/8\nK:G\nD|:GAB cBA|BGE D2D|GAB cde|dBG G2:|\n"
REEL = "X:2\nT:The Test Reel\nM:C|\nL:1/8\nK:D\n|:d2fd AdFA|dfaf gefe|d2fd AdFA|BGAF D4:|\n"
NEW = "X:9\nT:Something New\nM:3/4\nL:1/8\nK:C\nc2 e2 g2|c'6|b2 g2 e2|c6|\nf2 a2 c'2|b6|g2 e2 d2|c6|\n"
JIG_IN_A = "X:5\nT:Jig in A\nM:6/8\nL:1/8\nK:A\nE|:ABc dcB|cAF E2E|ABc def|ecA A2:|\n"  # the test jig, a tone up


def longest_common_run(query, sequences):
    """Brute force: the longest run of query that occurs in one of the sequences."""
    best = 0
    for i in range(len(query)):
        for j in range(i + best + 1, len(query) + 1):
            if any(_contains(sequence, query[i:j]) for sequence in sequences):
                best = j - i
            else:
                break
    return best


def _contains(sequence, run):
    n = len(run)
    return any(list(sequence[k : k + n]) == list(run) for k in range(len(sequence) - n + 1))


def test_suffix_automaton_finds_the_longest_shared_run_and_its_source():
    automaton = SuffixAutomaton(["abcde", "xyzab"])
    assert automaton.longest_match("qqbcdq") == (3, 4, 0)  # 'bcd' ends at query index 4, from sequence 0
    assert automaton.longest_match("zab") == (3, 2, 1)
    assert automaton.longest_match("qqq") == (0, -1, -1)


def test_a_match_never_runs_across_two_training_sequences():
    assert SuffixAutomaton(["abc", "def"]).longest_match("abcdef")[0] == 3


def test_suffix_automaton_works_on_integer_sequences():
    assert SuffixAutomaton([[1, 2, 3], [4, 5]]).longest_match([9, 4, 5, 1, 2])[0] == 2


def test_suffix_automaton_agrees_with_brute_force():
    rng = random.Random(7)
    for _ in range(60):
        sequences = ["".join(rng.choice("abc") for _ in range(rng.randint(1, 25))) for _ in range(rng.randint(1, 4))]
        query = "".join(rng.choice("abcd") for _ in range(rng.randint(1, 30)))
        length, end, source = SuffixAutomaton(sequences).longest_match(query)
        assert length == longest_common_run(query, sequences)
        if length:
            assert query[end + 1 - length : end + 1] in sequences[source]


def test_bars_and_bodies():
    assert tune_body(JIG) == "D|:GAB cBA|BGE D2D|GAB cde|dBG G2:|"
    assert bar_texts(JIG) == ["D", "GABcBA", "BGED2D", "GABcde", "dBGG2"]
    assert bar_texts("X:1\nK:G\nGAB|1 cBA:|2 cde||\n") == ["GAB", "cBA", "cde"]
    assert ngrams([1, 2, 3, 4], n=3) == [(1, 2, 3), (2, 3, 4)]


@pytest.fixture(scope="module")
def index():
    return TrainingIndex([JIG, REEL])


def test_a_copied_tune_is_copied_entirely(index):
    copy = JIG.replace("X:1\nT:The Test Jig", "X:77\nT:My Own Tune")
    novelty = index.novelty(copy)
    assert novelty.longest_copy_chars == len(tune_body(JIG))
    assert novelty.copied_text == tune_body(JIG)
    assert novelty.copied_from == "The Test Jig"
    assert novelty.longest_copy_bars == 5
    assert novelty.ngram_share == 1.0


def test_a_partly_copied_tune(index):
    # Two bars of the reel, then new music.
    partial = "X:3\nT:Half\nM:C|\nL:1/8\nK:D\n|:d2fd AdFA|dfaf gefe|c2ec BcEB|A8:|\n"
    novelty = index.novelty(partial)
    assert novelty.longest_copy_bars == 2
    assert novelty.copied_from == "The Test Reel"
    assert novelty.copied_text.startswith("|:d2fd AdFA|dfaf gefe|")
    assert 0 < novelty.ngram_share < 1


def test_a_new_tune_copies_little(index):
    novelty = index.novelty(NEW)
    assert novelty.longest_copy_bars == 0
    assert novelty.longest_copy_chars < 5
    assert novelty.ngram_share == 0.0


def test_a_tune_shorter_than_one_ngram_has_no_share(index):
    novelty = index.novelty("X:1\nT:t\nM:C\nL:1/8\nK:G\nGAB|\n")
    assert novelty.ngrams == 0 and novelty.ngram_share is None
    assert novelty.row()["ngram_share"] is None


def test_an_empty_training_set_is_refused():
    with pytest.raises(ValueError, match="at least one training tune"):
        TrainingIndex([])


def test_fast_enough_for_hundreds_of_tunes_against_a_thousand():
    rng = random.Random(3)
    notes = "ABcdefgGFED"

    def tune(k):
        bars = "|".join("".join(rng.choice(notes) for _ in range(6)) for _ in range(16))
        return f"X:{k}\nT:Tune {k}\nM:6/8\nL:1/8\nK:G\n{bars}|\n"

    training = [tune(k) for k in range(1000)]
    queries = [tune(k) for k in range(200)] + training[:5]
    started = time.perf_counter()
    index = TrainingIndex(training)
    results = [index.novelty(query) for query in queries]
    assert time.perf_counter() - started < 20
    assert all(result.ngram_share == 1.0 for result in results[-5:])


def test_intervals_are_the_same_in_any_key():
    assert intervals([60, 62, 59, 59]) == [2, -3, 0]
    assert intervals([60]) == [] and intervals([]) == []
    assert intervals(pitch_sequence(JIG_IN_A)) == intervals(pitch_sequence(JIG))
    assert pitch_sequence(JIG_IN_A) != pitch_sequence(JIG)


def test_a_copy_in_another_key_is_found_on_intervals_only(index):
    novelty = index.novelty(JIG_IN_A)
    assert novelty.longest_copy_chars <= 3 and novelty.longest_copy_bars == 0 and novelty.ngram_share == 0.0
    assert novelty.longest_interval_copy == len(intervals(pitch_sequence(JIG))) == 21
    assert novelty.interval_copied_from == "The Test Jig"
    assert novelty.interval_ngram_share == 1.0
    assert novelty.nearest_title == "The Test Jig" and novelty.nearest_distance == 0.0
    assert novelty.row()["longest_interval_copy"] == 21 and novelty.row()["nearest_distance"] == 0.0


def test_nearest_distance_is_edits_over_the_longer_length(index):
    one_note_more = index.novelty(JIG_IN_A.replace("A2:|", "A2B:|"))  # 22 intervals, one more than the jig
    assert one_note_more.nearest_title == "The Test Jig"
    assert one_note_more.nearest_distance == pytest.approx(1 / 22)
    assert one_note_more.interval_ngram_share == pytest.approx(14 / 15)


def test_a_partly_copied_tune_in_another_key(index):
    # Two bars of the reel a tone up (in E), then new music.
    partial = "X:3\nT:Half\nM:C|\nL:1/8\nK:E\n|:e2ge BeGB|egbg afgf|c2ec BcEB|A8:|\n"
    novelty = index.novelty(partial)
    assert novelty.longest_copy_bars == 0 and novelty.ngram_share == 0.0
    assert novelty.interval_copied_from == novelty.nearest_title == "The Test Reel"
    assert 14 <= novelty.longest_interval_copy < len(intervals(pitch_sequence(partial)))
    assert 0 < novelty.interval_ngram_share < 1
    assert 0 < novelty.nearest_distance < 0.5


def test_a_new_tune_shares_few_intervals(index):
    novelty = index.novelty(NEW)
    assert novelty.longest_interval_copy <= 3
    assert novelty.interval_ngram_share == 0.0
    assert novelty.nearest_distance > 0.6


@pytest.mark.parametrize("body", ["", "G8|"])
def test_a_tune_without_intervals_has_none_where_undefined(index, body):
    novelty = index.novelty(f"X:1\nT:t\nM:C\nL:1/8\nK:G\n{body}\n")
    assert novelty.longest_interval_copy == 0 and novelty.interval_copied_from is None
    assert novelty.interval_ngrams == 0 and novelty.interval_ngram_share is None
    assert novelty.nearest_title is None and novelty.nearest_distance is None
    assert novelty.row()["interval_ngram_share"] is None and novelty.row()["nearest_distance"] is None
