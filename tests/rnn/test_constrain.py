"""Constrained sampling: with random weights, a small or the full vocabulary, every tune the sampler writes is valid
ABC that reaches <end> within max_length; the mask never leaves a row without a character."""

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from random_run import save_random_run
from scipy import stats
from tune_checks import form_problems, same_draws, tune_problems

from helpers.abc.grammar import Completion, advance, start_state
from helpers.corpus.vocab import Vocabulary
from helpers.rnn.constrain import GrammarTable
from helpers.rnn.sample import DEFAULT_PRIME, GeneratedTune, Sampler

SHIPPED_VOCAB = Path(__file__).resolve().parents[2] / "models" / "best" / "vocab.json"

# (vocabulary, n, temperature, max_length): about 20 s in all. New grammar states cost the time, about one per
# character written at high temperature; with the full vocabulary, n=64 and max_length=1000 take 7-20 s each.
LONG_RUNS = [
    ("small", 64, 0.5, 300),
    ("small", 64, 1.0, 300),
    ("small", 64, 3.0, 300),
    ("small", 8, 3.0, 1000),
    ("full", 16, 0.5, 300),
    ("full", 16, 1.0, 300),
    ("full", 16, 3.0, 300),
    ("full", 8, 3.0, 1000),
]


@pytest.fixture(scope="module")
def samplers(tmp_path_factory) -> dict[str, Sampler]:
    """Samplers with random weights: conftest's small vocabulary (LSTM) and the shipped model's (GRU)."""
    folder = tmp_path_factory.mktemp("runs")
    return {
        "small": Sampler.from_run(save_random_run(folder / "small")),
        "full": Sampler.from_run(save_random_run(folder / "full", Vocabulary.load(SHIPPED_VOCAB), "GRU", 16)),
    }


def invalid_reasons(tune: GeneratedTune, max_length: int) -> list[str]:
    """Why a constrained tune is not what the sampler promises (valid, finished, short enough); [] when it is."""
    reasons = []
    if not tune.finished or len(tune.text) > max_length:
        reasons.append(f"finished={tune.finished} after {len(tune.text)} characters (max_length {max_length})")
    state = advance(start_state(tune.prime, tune.form), tune.text)
    if state is None or state.phase != "done":
        reasons.append("the grammar refuses it or it does not end")
    reasons += tune_problems(tune.abc, parsers=())
    if tune.removed_mass is None or not 0 <= tune.removed_mass <= 1 or not tune.surprisal > 0:
        reasons.append(f"removed_mass={tune.removed_mass}, surprisal={tune.surprisal}")
    return reasons


@pytest.mark.parametrize("vocabulary, n, temperature, max_length", LONG_RUNS)
def test_every_constrained_tune_is_valid_and_finished(samplers, vocabulary, n, temperature, max_length):
    # The sampler raises RuntimeError if the mask ever leaves a row with no character.
    tunes = samplers[vocabulary].sample(n, temperature, max_length=max_length, seed=1, constrained=True)
    assert len(tunes) == n and all(tune.constrained for tune in tunes)
    assert any(tune.removed_mass > 0 for tune in tunes), "random weights never wanted a character the grammar masks"
    invalid = {tune.abc: reasons for tune in tunes if (reasons := invalid_reasons(tune, max_length))}
    assert not invalid, f"{len(invalid)} of {n} tunes are invalid, e.g. {dict(list(invalid.items())[:3])}"


# (vocabulary, form, n, temperature, max_length): long random-weights runs in a form.
FORM_RUNS = [("small", "AABB", 32, 1.0, 1000), ("full", "AABB", 16, 1.0, 1000), ("full", "AB16", 8, 3.0, 1500)]


@pytest.mark.parametrize("vocabulary, form, n, temperature, max_length", FORM_RUNS)
def test_every_tune_sampled_in_a_form_has_it_and_is_valid(samplers, vocabulary, form, n, temperature, max_length):
    # The sampler raises RuntimeError if the mask ever leaves a row with no character.
    tunes = samplers[vocabulary].sample(n, temperature, max_length=max_length, seed=2, form=form)
    assert all(tune.constrained and tune.form == form for tune in tunes)
    invalid = {
        tune.abc: reasons
        for tune in tunes
        if (reasons := invalid_reasons(tune, max_length) + form_problems(tune.abc, form))
    }
    assert not invalid, f"{len(invalid)} of {n} tunes are invalid or not in the form {form}, e.g. {invalid}"


def test_an_unknown_form_is_refused_before_sampling(samplers):
    with pytest.raises(ValueError, match="unknown form 'ABA'"):
        samplers["small"].sample(1, max_length=300, form="ABA")
    with pytest.raises(ValueError, match="too short for a valid tune after this prime in the form AABB"):
        samplers["full"].sample(1, max_length=60, form="AABB")


def test_the_checks_fail_on_a_tune_that_breaks_its_promises():
    valid = GeneratedTune(DEFAULT_PRIME, "X:1\nT:A\nM:6/8\nK:G\nGAB cBA|]\n<end>", True, True, 1.0, 0.1)
    assert invalid_reasons(valid, 100) == []
    short_bar = replace(valid, text="X:1\nT:A\nM:6/8\nK:G\nD|GAB|GAB cBA|]\n<end>")
    reasons = invalid_reasons(short_bar, 100)
    assert "the grammar refuses it or it does not end" in reasons
    assert any(reason.startswith("the bar check fails") for reason in reasons)
    assert invalid_reasons(valid, 20) != []  # longer than max_length
    assert invalid_reasons(replace(valid, finished=False), 100) != []
    assert invalid_reasons(replace(valid, removed_mass=1.5), 100) != []
    assert invalid_reasons(replace(valid, surprisal=0.0), 100) != []
    assert invalid_reasons(replace(valid, removed_mass=None), 100) != []


def test_free_sampling_measures_no_removed_mass(samplers):
    free, constrained = (
        samplers["small"].sample(4, max_length=200, seed=2, constrained=flag)[0] for flag in (False, True)
    )
    assert free.removed_mass is None and not free.constrained
    assert constrained.removed_mass is not None and constrained.constrained


# The whole mask of the full vocabulary in a form is slow (benchmarks/sample_speed.py): fewer tunes there, untraced
# (the small vocabulary's case covers the same lines).
@pytest.mark.parametrize(
    "vocabulary, form, n", [("small", "free", 32), pytest.param("full", "AABB", 12, marks=pytest.mark.untraced)]
)
def test_the_whole_mask_writes_the_same_tunes_and_the_estimated_mass_agrees_with_it(samplers, vocabulary, form, n):
    options = dict(n=n, temperature=1.5, max_length=400, seed=7, form=form, constrained=True)
    tried, whole = (samplers[vocabulary].sample(**options, exact_mass=flag) for flag in (False, True))
    assert [tune.text for tune in tried] == [tune.text for tune in whole]
    assert [tune.surprisal for tune in tried] == pytest.approx([tune.surprisal for tune in whole])
    characters = sum(len(tune.text) for tune in whole)
    exact, estimate = (
        sum(tune.removed_mass * len(tune.text) for tune in tunes) / characters for tunes in (whole, tried)
    )
    # Each character's refusal is a coin with the chance that was masked there: a sum's spread is at most binomial.
    assert 0 < exact < 1 and abs(estimate - exact) < 4 * (exact * (1 - exact) / characters) ** 0.5, (estimate, exact)


def test_a_masked_draw_follows_the_renormalised_softmax_and_is_refused_as_often_as_the_mask_removes(samplers):
    sampler = samplers["full"]
    table = GrammarTable(sampler.vocab.chars)
    prime = "<start>\nX:1\nT:A\nM:6/8\nL:1/8\nK:G\nGAB "
    rows = np.full(20_000, table.number(start_state(prime)))
    budget = np.full(len(rows), 1000)
    _, allowed = table.allowed(rows[:1], budget[:1])
    rng = np.random.default_rng(3)
    logits = rng.normal(0, 2, sampler.vocab.size)
    logits[0] = -np.inf
    symbols, reached, refused = table.choose(rows, logits + rng.gumbel(size=(len(rows), len(logits))), budget)
    assert (reached >= 0).all() and allowed[0, symbols].all()
    p = np.exp(logits - logits[1:].max())
    p /= p.sum()
    kept = np.flatnonzero(allowed[0])
    assert 3 <= len(kept) < sampler.vocab.size - 1
    observed = np.bincount(symbols, minlength=len(p))[kept]
    assert stats.chisquare(observed, p[kept] / p[kept].sum() * len(rows)).pvalue > 1e-3
    assert stats.binomtest(int(refused.sum()), len(rows), 1 - p[kept].sum()).pvalue > 1e-3


def test_a_state_that_allows_nothing_reaches_no_state(samplers):
    sampler = samplers["small"]
    table = GrammarTable(sampler.vocab.chars)
    done = advance(start_state(DEFAULT_PRIME), Completion().text(start_state(DEFAULT_PRIME)))
    assert done.phase == "done"
    rows = np.array([table.number(done), table.number(start_state(DEFAULT_PRIME))])
    _, reached, _ = table.choose(rows, np.random.default_rng(0).gumbel(size=(2, sampler.vocab.size)), np.full(2, 500))
    assert reached[0] < 0 <= reached[1]


def test_the_same_seed_gives_the_same_tunes_in_any_batch(samplers):
    sampler = samplers["full"]
    eight = sampler.sample(8, max_length=300, seed=5, constrained=True)
    assert sampler.sample(8, max_length=300, seed=5, constrained=True) == eight
    assert same_draws(sampler.sample(1, max_length=300, seed=5, constrained=True), eight[:1])
    assert same_draws(sampler.sample(16, max_length=300, seed=5, constrained=True)[:8], eight)
    assert sampler.sample(8, max_length=300, seed=6, constrained=True) != eight


def test_a_prime_the_grammar_refuses_is_an_error_naming_it(samplers):
    prime = "<start>\nT:A\n"  # T: before X:
    with pytest.raises(ValueError, match=re.escape(repr(prime))):
        samplers["small"].sample(2, prime=prime, constrained=True)
    prime = "<start>\nX:1\nT:A\n"
    tunes = samplers["small"].sample(2, prime=prime, max_length=300, constrained=True)
    assert all(advance(start_state(prime), tune.text).phase == "done" for tune in tunes)


def test_max_length_must_fit_the_shortest_valid_tune(samplers):
    sampler = samplers["small"]
    shortest = Completion(sampler.vocab.chars[1:]).length(start_state(DEFAULT_PRIME))
    with pytest.raises(ValueError, match=f"max_length={shortest - 1} is too short"):
        sampler.sample(2, max_length=shortest - 1, constrained=True)
    tunes = sampler.sample(4, temperature=3.0, max_length=shortest, constrained=True)
    assert all(tune.finished and len(tune.text) == shortest for tune in tunes)


@pytest.mark.parametrize("flag", ["yes", 1, None])
def test_constrained_must_be_true_or_false(samplers, flag):
    with pytest.raises(TypeError, match="constrained must be True or False"):
        samplers["small"].sample(1, max_length=100, constrained=flag)


def test_a_full_table_forgets_the_states_no_row_is_at_and_writes_the_same_tunes(samplers):
    sampler = samplers["full"]
    expected = sampler.sample(8, temperature=2.0, max_length=300, seed=3, constrained=True)
    unbounded = len(sampler.grammar.states)
    sampler.grammar = GrammarTable(sampler.vocab.chars, max_states=400)
    for seed in (3, 4, 5):  # the table is kept between calls: without a bound it would only grow
        tunes = sampler.sample(8, temperature=2.0, max_length=300, seed=seed, constrained=True)
        assert len(sampler.grammar.states) <= 400 + 8 * sampler.vocab.size < unbounded
    assert sampler.sample(8, temperature=2.0, max_length=300, seed=3, constrained=True) == expected
    assert all(tune.finished for tune in tunes)
    sampler.grammar = None  # the other tests build their own table
