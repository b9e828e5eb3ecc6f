"""Bad corpus files and specs, renderer input, sampler arguments, transpositions and save names each get a clear
message (the catalogue: tests/bad_inputs.py).

RunConfig inputs are in the same catalogue; their own tests check them.
"""

import bad_inputs
import pytest


@pytest.fixture(scope="module")
def robustness():
    """The catalogue of bad inputs, which benchmarks/robustness.py prints as its figure 1."""
    return bad_inputs


def not_handled(robustness, cases) -> list[str]:
    """'entry(input): outcome: detail' for each case that got no clear message (or, if valid, was not read)."""
    return [
        f"{case.entry}({case.name}): {result.kind}: {result.detail}"
        for case in cases
        if (result := robustness.outcome(case)).kind not in robustness.HANDLED_WELL
    ]


def test_every_bad_corpus_input_gets_a_clear_message(robustness, tmp_path):
    cases = robustness.corpus_cases(tmp_path)
    assert len(cases) >= 35
    assert not_handled(robustness, cases) == []


def test_every_stale_cut_or_broken_stored_file_is_refused_naming_it(robustness, tmp_path):
    cases = robustness.stored_file_cases(tmp_path)
    assert len(cases) >= 10
    assert not_handled(robustness, cases) == []


def test_every_bad_renderer_input_gets_a_message(robustness, tmp_path):
    cases = robustness.render_cases(tmp_path)
    assert len(cases) >= 25
    assert not_handled(robustness, cases) == []


def test_every_bad_sampler_argument_gets_a_clear_message(robustness):
    cases = robustness.sampler_cases()
    assert len(cases) >= 25
    assert not_handled(robustness, cases) == []


def test_every_bad_transposition_grammar_key_and_save_name_gets_a_clear_message(robustness):
    cases = robustness.music_cases()
    assert len(cases) >= 10
    assert not_handled(robustness, cases) == []


def test_the_judge_calls_a_library_error_or_a_silent_acceptance_unclear(robustness):
    def numpy_error() -> None:
        import numpy as np

        np.random.default_rng(-1)

    def accepts(value: object) -> object:
        return value

    judged = [
        robustness.outcome(robustness.BadInput("seed=-1", "numpy", "test", numpy_error, "seed")),
        robustness.outcome(robustness.BadInput("x", "accepts", "test", lambda: accepts("x"))),
        robustness.outcome(robustness.BadInput("x", "misreads", "test", lambda: False, valid=True)),
    ]
    assert [result.kind for result in judged] == ["unclear exception", "accepted", "misread"]


def test_fuzz_mutations_are_seeded(robustness):
    import random

    text = "X:1\nT:t\nK:G\nabc|def|\n"
    first = [robustness.mutate(text, random.Random(seed)) for seed in range(20)]
    assert first == [robustness.mutate(text, random.Random(seed)) for seed in range(20)]
    assert len(set(first)) > 10
