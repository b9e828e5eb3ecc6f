"""The study's tables and sentences in the report: budgets, machine, best model, claims."""

import pytest
from study_results import cell_results, fake_results

from helpers.analysis.study import aggregate, claims
from helpers.config import get_profile
from helpers.report.latex import latex_escape, latex_table
from helpers.report.study_section import (
    CLAIMS_HEADER,
    best_model_paragraph,
    budget_paragraph,
    claim_sentences,
    claims_section,
    claims_table,
    machine_description,
    summary_table,
)

CELLS = {
    "fixed": {"SimpleRNN-100": 1.60, "LSTM-100": 1.70, "GRU-100": 1.50},
    "converged": {"SimpleRNN-100": (1.55, 27, 30), "LSTM-100": (1.50, 40, 40), "GRU-100": (1.45, 33, 36)},
}


def test_budget_paragraph_counts_a_shared_run_once_and_names_the_recorded_machine():
    results = fake_results(machine=(16, 1))
    results[-1]["wall_seconds"] = 90.0
    shared = results[0] | {"factor": "dropout", "label": "0.0"}  # the baseline, listed under a second factor
    text = budget_paragraph([*results, shared], get_profile("full"))
    assert "6 distinct runs took 6 minutes of training on 16 CPU cores and 1 GPU" in text  # 5 x 60 s + 90 s
    assert "from 60~s per run (hidden units 100) to 70~s (hidden units 150)" in text
    assert "batches of 64 chunks of 100 characters. 6 runs train for the fixed budget of 20 epochs." in text


def test_budget_paragraph_says_how_long_the_converged_runs_trained():
    converged = [row | {"wall_seconds": 80.0, "parameters": 1} for row in cell_results(**CELLS)]
    results = [row | {"machine_cpu_count": None, "machine_gpus": None} for row in converged]
    text = budget_paragraph(results, get_profile("full"))
    assert "The 9 runs of cell, equal size train to convergence (training stops after 3 epochs without" in text
    assert "at most 60 epochs): they took 30 to 40 epochs, and 6 of them stopped before the cap." in text
    assert "on a machine the runs did not record" in text


def test_machine_description_counts_runs_without_a_record():
    results = fake_results()
    results[0] |= {"machine_cpu_count": None, "machine_gpus": None}
    assert machine_description(results) == "2 CPU cores (1 of the 6 runs did not record theirs)"


def test_machine_description_says_when_runs_used_fewer_threads_than_cores():
    results = [row | {"machine_threads": 1} for row in fake_results()]
    assert machine_description(results) == "2 CPU cores, 1 thread per run"
    results[0] |= {"machine_threads": 2}  # a run that had both cores
    assert machine_description(results) == "2 CPU cores (1 run); 2 CPU cores, 1 thread per run (5 runs)"


def test_best_model_paragraph_describes_the_configuration():
    text = best_model_paragraph(get_profile("full").run_config(cell="GRU", layers=2, encoding="embedding"), 123456)
    assert "a 2-layer GRU with 100 units per layer on a 32-dimensional embedding, trained with RMSprop" in text
    assert "for 20 epochs, the study's fixed budget" in text
    assert "dropout" not in text and "123{,}456 parameters" in text
    assert "0.2 after each" in best_model_paragraph(get_profile("full").run_config(dropout=0.2), 1)


def test_summary_table_shows_seeds_epochs_and_mean_plus_minus_std():
    table = summary_table(aggregate(fake_results()), "2 CPU cores")
    assert r"$1.510 \pm 0.010$" in table and "wall time per run on 2 CPU cores" in table
    assert table.count(r"\\") == 3  # a header and two levels
    assert "seeds & train (final)" in table and "& epochs &" in table


@pytest.mark.usefixtures("no_files")
def test_the_claims_table_has_difference_t_df_p_and_adjusted_p_for_every_test():
    found = claims(fake_results() + cell_results(**CELLS))
    table = claims_table(found)
    assert " & ".join(CLAIMS_HEADER) == "claim & budget & difference & $t$ & df & $p$ & Holm $p$ & verdict"
    assert " & ".join(CLAIMS_HEADER) in table
    assert table.count(r"\\") == 1 + 5  # hidden 100 vs 150, and two cell types at two budgets
    assert "hidden units 100 vs 150 & 20 epochs & -0.100 & -12.2 & 4.0 & < 0.001 &" in table
    assert (
        "LSTM-100 vs SimpleRNN-100" not in table and "SimpleRNN-100 vs LSTM-100 & converged (30 to 40 epochs)" in table
    )


@pytest.mark.usefixtures("no_files")
def test_claim_sentences_say_the_budget_and_whether_the_claim_depends_on_it():
    profile = get_profile("full")
    sentences = claim_sentences(claims(fake_results() + cell_results(**CELLS)), profile)
    hidden, lstm, gru, first_epoch = sentences
    assert hidden.startswith("Hidden units, 100 to 150 (the original report's single runs: validation 1.879 to")
    assert "Here, at the fixed 20-epoch budget, best validation loss 100 1.510, 150 1.410" in hidden
    assert "df = 4.0, p < 0.001, Holm-adjusted p < 0.001), beyond seed noise." in hidden
    assert lstm.startswith("LSTM-100 against SimpleRNN-100 (cell, equal size), at convergence (training stops")
    assert "the runs took 30 to 40 epochs, and 3 of 6 stopped before the cap)" in lstm
    assert "LSTM-100 was still improving even at the cap" in lstm
    assert "The same runs at the fixed 20-epoch budget:" in lstm and "depends on the budget" in lstm
    assert "The direction and the verdict are the same at both budgets." in gru
    assert "15 of 15 runs without any dropout" in first_epoch


@pytest.mark.usefixtures("no_files")
def test_claims_section_explains_the_test_before_the_table_and_the_list():
    text = claims_section(claims(fake_results()), get_profile("full"))
    assert text.index("Holm's method") < text.index(r"\begin{table}") < text.index(r"\begin{itemize}")
    assert "below 0.05" in text and r"\item Hidden units, 100 to 150" in text


def test_latex_tables_escape_text():
    assert latex_escape("50% of a_b & c") == r"50\% of a\_b \& c"
    simple = latex_table(["a", "b", "c"], [["x", "y", "1"]], "cap", "tab:y")
    assert "\\begin{tabular}{llr}" in simple and "\\label{tab:y}" in simple
    assert "tabcolsep" not in simple
    assert "\\centering\\small\\setlength{\\tabcolsep}{4pt}" in latex_table(
        ["a", "b"], [], "cap", "tab:z", column_gap="4pt"
    )


@pytest.mark.usefixtures("no_files")
def test_symbols_and_keys_are_said_in_nats_per_tune_on_the_tunes_compared():
    results = fake_results(
        {("symbols", "chars"): [1.50, 1.52, 1.51], ("symbols", "tokens"): [1.40, 1.41, 1.42]}
        | {("keys", "as written"): [1.50, 1.52, 1.51], ("keys", "in C"): [1.55, 1.56, 1.57]}
    )
    symbols, keys = claim_sentences(claims(results), get_profile("full"))[:2]
    assert symbols.startswith("Reading tokens instead of characters saves 20.0 nats per tune on the 40 test tunes")
    assert "chars 302.000, tokens 282.000 nats/tune: a difference of -20.000" in symbols
    assert keys.startswith("Moving every tune to C costs 10.0 nats per tune")
    table = claims_table(claims(results))
    assert "chars vs tokens (per tune)" in table and "keys as written vs in C (per tune)" in table
