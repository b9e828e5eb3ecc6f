"""Scoring batches of tunes, comparing generated with real, the table, the reading and the figures."""

import csv
import json
import math
import os
import shutil
from collections import Counter
from dataclasses import replace

import matplotlib
import pytest

from helpers.analysis import compare as qc
from helpers.analysis.agreement import bar_agreement, write_bar_agreement
from helpers.analysis.checks import ParseResult
from helpers.analysis.novelty import TrainingIndex
from helpers.config import MODEL
from helpers.report import quality_plots, quality_section
from helpers.rnn.runs import shipped_model_dir
from helpers.rnn.sample import Sampler

matplotlib.use("Agg")

HEADER = "X:{n}\nT:Tune {n}\nM:6/8\nL:1/8\nK:{key}\n"
TRAINING = [
    HEADER.format(n=1, key="G") + "D|:GAB cBA|BGE D2D|GAB cde|dBG G2:|\n",
    HEADER.format(n=2, key="D") + "A|:dfe dcB|AFA d2A|dfe dcB|AFD D2:|\n",
]
REAL = [
    HEADER.format(n=3, key="G") + "B|:GBd gdB|cAF D2B|GBd gdB|cAF G2:|\n",
    HEADER.format(n=4, key="Em") + "B|:EFG FED|B,2E E2B|EFG FED|B,EE E2:|\n",
]
VALID_NEW = HEADER.format(n=5, key="G") + "GBd gdB|cAF D3|GBd gdB|cAF G3|\n"
COPIED = TRAINING[0].replace("X:1\nT:Tune 1", "X:6\nT:Copy")
BROKEN = "X:7\nT:Broken\nM:6/8\nGAB c|de f g a b|\n"  # no K:, wrong bar lengths


@pytest.fixture(scope="module")
def index():
    return TrainingIndex(TRAINING)


@pytest.fixture(scope="module")
def scored(index):
    real = qc.score_real(REAL, index, parsers=("music21",))
    cold = qc.score_tunes([COPIED, VALID_NEW, VALID_NEW], "toy", index, 0.5, parsers=("music21",))
    hot = qc.score_tunes([VALID_NEW, BROKEN, BROKEN], "toy", index, 2.0, [True, True, False], ("music21",))
    return real, cold + hot


def test_total_variation():
    assert qc.total_variation(Counter(a=2, b=2), Counter(a=1, b=1)) == 0
    assert qc.total_variation(Counter(a=1), Counter(b=5)) == 1
    assert qc.total_variation(Counter(a=1, b=1), Counter(a=1)) == pytest.approx(0.5)
    assert math.isnan(qc.total_variation(Counter(), Counter(a=1)))


def test_scored_tunes(scored):
    real, generated = scored
    assert [tune.valid for tune in real] == [True, True]
    assert [tune.valid for tune in generated] == [True, True, True, True, False, False]
    assert generated[0].novelty.longest_copy_bars == 5  # the copied tune
    row = generated[4].row()
    assert (row["model"], row["temperature"], row["header_ok"], row["valid"]) == ("toy", 2.0, False, False)
    assert generated[5].quality.finished is False


def test_mismatched_finished_flags_are_refused(index):
    with pytest.raises(ValueError, match="finished flags"):
        qc.score_tunes([VALID_NEW, VALID_NEW], "toy", index, finished=[True], parsers=())


def test_summary_rates_per_setting(scored):
    real, generated = scored
    summary = qc.summarise(generated, real)
    assert [(row["model"], row["temperature"], row["tunes"]) for row in summary] == [
        ("real", None, 2),
        ("toy", 0.5, 3),
        ("toy", 2.0, 3),
    ]
    real_row, cold, hot = summary
    assert real_row["valid"] == 1.0 and real_row["tv_meter"] == 0
    assert cold["valid"] == 1.0 and hot["valid"] == pytest.approx(1 / 3)
    assert hot["header_ok"] == pytest.approx(1 / 3)
    assert hot["finished"] == pytest.approx(2 / 3)
    assert math.isnan(hot["abc2midi_ok"])  # not run
    assert cold["copy_chars_max"] == len("D|:GAB cBA|BGE D2D|GAB cde|dBG G2:|")
    assert cold["ngram_share"] > hot["ngram_share"]
    assert hot["tv_key"] == pytest.approx(0.5 * (abs(1 / 3 - 1 / 2) + 1 / 2 + 2 / 3))  # G / Em / (none)


def test_summary_needs_real_tunes(scored):
    real, generated = scored
    with pytest.raises(ValueError, match="real"):
        qc.summarise(generated, [])
    with pytest.raises(ValueError, match="real"):
        qc.summarise(generated, generated)


def fake_row(model, temperature, valid, ngram_share, **extra):
    row = {"model": model, "temperature": temperature, "valid": valid, "ngram_share": ngram_share}
    return row | {"copy_chars_median": 10.0, "finished": 1.0} | extra


def test_the_best_balance_is_computed_from_the_numbers():
    summary = [
        fake_row("real", None, 0.9, 0.3),
        fake_row("net", 0.25, 0.9, 0.9),  # valid but copied: 0.09
        fake_row("net", 0.5, 0.6, 0.4),  # 0.36
        fake_row("net", 1.0, 0.5, 0.2),  # 0.40: the best balance
        fake_row("net", 2.0, 0.0, float("nan")),
        fake_row("noise", 1.0, 0.0, 0.0),
    ]
    assert qc.best_balance(summary, "net")["temperature"] == 1.0
    assert qc.best_balance(summary, "noise") is None
    text = quality_section.reading(summary)
    assert "net: T = 1 gives the best balance" in text
    assert "50% valid tunes (real: 90%), 20% of their 8-note sequences found in training tunes (real: 30%)" in text
    assert "no more copying than real tunes show" in text
    assert "Colder, at T = 0.25: 90% valid, 90% of 8-note sequences copied" in text
    assert "Hotter, at T = 2: 0% valid" in text
    assert "noise: no temperature" in text
    summary[3]["ngram_share"] = 0.35  # 0.325: now T = 0.5 is best, and its 40% lies above the real tunes' 30%
    text = quality_section.reading(summary)
    assert "net: T = 0.5 gives the best balance" in text and "a sign of memorisation" in text


def test_summary_file_and_text_table(scored, tmp_path):
    real, generated = scored
    summary = qc.summarise(generated, real)
    summary[1]["model"] = "my_model"
    with qc.write_summary(summary, tmp_path / "results").open() as file:
        rows = list(csv.DictReader(file))
    assert [row["model"] for row in rows] == ["real", "my_model", "toy"]
    with pytest.raises(ValueError, match="empty"):
        qc.write_summary([], tmp_path)
    assert "my_model" in quality_section.text_table(summary).splitlines()[2]


def test_report_section_and_tables(scored, tmp_path):
    real, generated = scored
    summary = qc.summarise(generated, real)
    summary[1]["model"] = "my_model"
    leniency = qc.bar_check_leniency([*real, *generated])
    agreement = bar_agreement([REAL[0], BROKEN])
    paths = quality_section.write_quality_section(summary, leniency, agreement, tmp_path)
    assert [path.name for path in paths] == ["quality_section.tex", "quality_table.tex", "bar_agreement.tex"]
    section, table, agreement_tex = (path.read_text() for path in paths)
    assert table.startswith("\\begin{table}") and "\\label{tab:quality}" in table
    assert "my\\_model & 0.5 & 100\\%" in table
    assert len([line for line in table.splitlines() if line.endswith(" \\\\")]) == len(summary) + 1
    assert "Each model wrote 3 tunes at each temperature from 0.5 to 2, and 2 real validation tunes" in section
    for figure in ("quality_validity", "quality_copying", "quality_distributions_toy"):
        assert f"\\figureif{{{figure}}}" in section
    assert table in section and "a valid \\texttt{K:} last" in section and "\t" not in section
    assert "toy: T = 2 gives the best balance" in section or "toy: T = 0.5 gives the best balance" in section
    assert "real validation tunes: 100\\% under the old rule, 100\\% now" in section
    assert "\\%" in section and " 100% " not in section  # the reading's percentages are escaped for LaTeX
    assert "\\label{tab:bar_agreement}" in agreement_tex and "2 real validation tunes" in agreement_tex
    with pytest.raises(ValueError, match="empty"):
        quality_section.write_quality_section([], leniency, agreement, tmp_path)


def test_the_old_lenient_pickup_rule_is_measured_beside_the_new_one(index):
    # A part of one short bar between repeat signs passed the old rule.
    lenient_only = HEADER.format(n=8, key="G") + "GBd gdB|cAF D3:|d:|GBd gdB|cAF G3|]\n"
    scored = qc.score_real(REAL, index, parsers=()) + qc.score_tunes([lenient_only, VALID_NEW], "toy", index, 1.0)
    rows = qc.bar_check_leniency(scored)
    assert [(row["model"], row["bars_ok_lenient"], row["bars_ok"]) for row in rows] == [
        ("real", 1.0, 1.0),
        ("toy", 1.0, 0.5),
    ]


def test_a_time_limit_is_counted_apart_from_failures(index):
    scored = qc.score_real(REAL, index, parsers=())
    stopped = ParseResult(None, "music21: not checked (time limit)", timed_out=True)
    scored[0] = replace(scored[0], quality=replace(scored[0].quality, music21=stopped))
    assert scored[0].valid is None  # header and bars pass; music21 said nothing
    row = qc.summarise(scored[:0], scored)[0]
    assert row["music21_time_limit"] == 1 and math.isnan(row["music21_ok"])


def test_bar_agreement_with_abc2midi(tmp_path):
    wrong = HEADER.format(n=9, key="G") + "GBd gdB|cAF D|GBd gdB|cAF G3|\n"
    agreement = bar_agreement([REAL[0], wrong, VALID_NEW])
    assert [(tune.reader_problem, tune.abc2midi_problem) for tune in agreement.tunes] == [
        (False, False),
        (True, True),
        (False, False),
    ]
    assert (agreement.count(True, True), agreement.count(False, False), agreement.agreement) == (1, 2, 1.0)
    assert "same verdict on 100% of them" in agreement.text_table()
    with write_bar_agreement(agreement, tmp_path).open() as file:
        rows = list(csv.DictReader(file))
    assert [row["title"] for row in rows] == ["Tune 3", "Tune 9", "Tune 5"]
    with pytest.raises(ValueError, match="no tunes"):
        write_bar_agreement(bar_agreement([]), tmp_path)


def test_figures(scored):
    real, generated = scored
    summary = qc.summarise(generated, real)
    validity = quality_plots.plot_validity(summary)
    assert len([ax for ax in validity.axes if ax.get_visible()]) == len(qc.VALIDITY_CHECKS)
    assert len(quality_plots.plot_copying(summary).axes) == 3
    distributions = quality_plots.plot_distributions(
        [t for t in generated if t.temperature == 0.5], real, "toy, T = 0.5"
    )
    assert [ax.get_title().split(":")[0] for ax in distributions.axes] == list(qc.DISTRIBUTIONS)
    matplotlib.pyplot.close("all")


def test_sample_and_score_a_trained_model(index):
    scored = qc.sample_and_score(shipped_model_dir(), "shipped", index, [0.5, 1.0], n=3, max_length=300, parsers=())
    assert [(tune.model, tune.temperature) for tune in scored] == [("shipped", 0.5)] * 3 + [("shipped", 1.0)] * 3
    finished = [tune for tune in scored if tune.quality.finished]
    assert finished, "no sampled tune reached <end>: nothing to check"
    assert all(tune.abc.startswith("X:") for tune in finished)


def test_a_run_is_loaded_once_per_version_of_its_files_and_samples_as_a_new_sampler_does(tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(shipped_model_dir(), run_dir)
    first = qc.run_sampler(run_dir)
    first.sample(n=2, temperature=1.0, seed=0, max_length=200, constrained=True)
    assert qc.run_sampler(run_dir / ".." / "run") is first and first.grammar is None  # a cold table each time
    fresh = Sampler.from_run(run_dir)
    for options in ({}, {"constrained": True}, {"form": "AABB"}):
        drawn = [tune.text for tune in first.sample(n=3, temperature=1.0, seed=5, max_length=400, **options)]
        assert drawn == [tune.text for tune in fresh.sample(n=3, temperature=1.0, seed=5, max_length=400, **options)]
    (run_dir / MODEL).write_bytes((run_dir / MODEL).read_bytes())  # the run trained again: a new version
    os.utime(run_dir / MODEL, ns=(1, 1))
    assert qc.run_sampler(run_dir) is not first
    (run_dir / MODEL).unlink()
    with pytest.raises(FileNotFoundError, match="holds no trained model"):
        qc.run_sampler(run_dir)


def test_a_model_scored_in_a_form_is_its_own_setting_and_the_report_reads_it(index):
    scored = qc.sample_and_score(shipped_model_dir(), "shipped", index, [1.0], n=4, max_length=1000, form="AABB")
    scored += qc.sample_and_score(shipped_model_dir(), "shipped", index, [1.0], n=4, max_length=1000, parsers=())
    assert {tune.model for tune in scored} == {"shipped, valid ABC, form AABB", "shipped"}
    summary = qc.summarise(scored, qc.score_real(REAL, index, parsers=("music21",)))
    in_form = next(row for row in summary if row["model"] == "shipped, valid ABC, form AABB")
    assert in_form["aabb"] == 1.0 and in_form["eight_bar_parts"] == 1.0 and 0 < in_form["removed_mass"] < 1
    text = quality_section.form_reading(summary)
    assert text.startswith("shipped in the form AABB at T = 1: 100% of its tunes are AABB and 100% have 8-bar parts")
    assert "form AABB" in quality_section.quality_section(summary, qc.bar_check_leniency(scored))
    in_form["aabb"] = 0.5  # the reading reports the number, not the promise
    assert "50% of its tunes are AABB" in quality_section.form_reading(summary)
    beside = quality_section.folk_rnn_table(summary, quality_section.folk_rnn_figures())
    lines = [line for line in beside.splitlines() if line.rstrip().endswith("\\\\") and "&" in line]
    assert [line.split("&")[0].strip() for line in lines[1:]] == [
        qc.REAL.replace("_", "\\_"),
        "folk-rnn's published samples, T = 1",
        "shipped, valid ABC, form AABB",
        "shipped",
    ]
    assert [cell.strip(" \\") for cell in lines[2].split("&")[1:]] == ["64", "95\\%", "58\\%", "70\\%", "9.1"]
    assert [cell.strip(" \\") for cell in lines[3].split("&")[3:5]] == ["50\\%", "100\\%"]
    assert "tab:folk_rnn" in beside and "Sturm" in beside
    assert "tab:folk_rnn" in quality_section.quality_section(summary, qc.bar_check_leniency(scored))


def test_folk_rnn_figures_without_a_column_or_a_source_are_refused(tmp_path):
    figures = quality_section.folk_rnn_figures()
    for missing in ("source", "standard_parts"):
        path = tmp_path / f"without-{missing}.json"
        path.write_text(json.dumps({key: value for key, value in figures.items() if key != missing}))
        with pytest.raises(ValueError, match=f"lacks {missing}"):
            quality_section.folk_rnn_figures(path)
