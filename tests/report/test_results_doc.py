"""docs/results.md is written from the results files alone: their numbers, and a clear stop when one is missing."""

from pathlib import Path

import pytest

from helpers.report.results_doc import results_markdown, write_results_doc

SUMMARY = "factor,label,seeds,parameters,test_loss_mean,test_loss_std,best_epoch_mean,wall_seconds_mean\n"
QUALITY = "model,temperature,tunes,valid,bars_ok,abc2midi_ok,copy_chars_median,ends_on_tonic\n"


def write_results(folder, summary_rows: str, quality_rows: str):
    folder.mkdir(parents=True)
    (folder / "summary.csv").write_text(SUMMARY + summary_rows)
    (folder / "quality_table.csv").write_text(QUALITY + quality_rows)
    return folder


def test_the_numbers_come_from_the_result_files(tmp_path):
    results = write_results(
        tmp_path / "results" / "full",
        "dropout,0.2,5,28391,1.6912345,0.0034,19.4,82.7\n",
        "real,,190,0.805,1,nan,15,0.83\n",
    )
    text = results_markdown(results)
    assert text.startswith("# Results\n\nFor readers")
    assert "| dropout | 0.2 | 5 | 28391 | 1.69 | 0.0034 | 19.4 | 82.7 |" in text
    assert "| real |  | 190 | 0.805 | 1 | – | 15 | 0.83 |" in text
    assert write_results_doc(results, tmp_path / "docs" / "results.md").read_text() == text


def test_a_missing_results_file_names_it_and_the_remedy(tmp_path):
    results = write_results(tmp_path / "results" / "full", "", "")
    (results / "quality_table.csv").unlink()
    with pytest.raises(FileNotFoundError, match=r"quality_table\.csv is missing: run the notebooks first"):
        results_markdown(results)


def test_the_committed_results_doc_is_the_one_the_committed_results_give():
    project = Path(__file__).resolve().parents[2]
    committed = (project / "docs" / "results.md").read_text(encoding="utf-8")
    assert committed == results_markdown(project / "results" / "full"), "run bash report/build.sh full"


@pytest.mark.parametrize(
    "file, heading, csv_text, shown",
    [
        (
            "sample_speed.csv",
            "## Sampling speed",
            "sampling,batch,table,chars_per_s,tunes_per_s,share_of_free_256,model,date,machine\n"
            "free,256,,327103,843.3,1.0,baseline,2026-12-07,2 CPU cores\n"
            "form AABB,256,cold,41234,90.5,0.1261,baseline,2026-12-07,2 CPU cores\n",
            [
                "on 2026-12-07, 2 CPU cores (`results/benchmarks/sample_speed.csv`): model `baseline`.",
                "| form AABB | 256 | cold | 41234 | 90.5 | 0.126 |",
            ],
        ),
        (
            "environment_size.csv",
            "## Size of the environment",
            "environment,part,mb,date,machine\n"
            "main job (requirements.txt),all of it,1684,2026-12-07,Linux x86_64\n"
            "main job (requirements.txt),tensorflow_cpu,787,2026-12-07,Linux x86_64\n",
            [
                "on 2026-12-07, Linux x86_64 (`results/benchmarks/environment_size.csv`): a fresh virtual environment",
                "| main job (requirements.txt) | all of it | 1684 |",
                "| main job (requirements.txt) | tensorflow_cpu | 787 |",
            ],
        ),
    ],
    ids=["speed", "environment"],
)
def test_a_benchmarks_figures_are_shown_from_its_file_when_there_is_one(tmp_path, file, heading, csv_text, shown):
    results = write_results(tmp_path / "results" / "full", "", "")
    assert heading not in results_markdown(results)
    (tmp_path / "results" / "benchmarks").mkdir()
    (tmp_path / "results" / "benchmarks" / file).write_text(csv_text)
    text = results_markdown(results)
    assert heading in text and all(line in text for line in shown), text[text.index(heading) :]
