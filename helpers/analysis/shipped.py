"""The figures of the shipped model's card: data, size, training, held-out nats, and its samples against real tunes.

Everything is measured from files: the run folder that training wrote, and the prepared data it names. The
samples follow the issue's targets: free sampling at T = 1, scored like notebook 07 scores every model, against
the held-out (test) tunes of the model's own corpus, in the key handling the model reads.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from helpers.analysis import compare
from helpers.analysis.novelty import TrainingIndex
from helpers.config import CONFIG, DATA, METRICS, VOCAB, RunConfig
from helpers.corpus.load import split_records
from helpers.corpus.represent import model_data
from helpers.corpus.split import SPLITS, read_prepared, read_tunes
from helpers.corpus.vocab import Vocabulary
from helpers.files import read_json_object, write_json
from helpers.rnn.evaluate import nats_per_tune
from helpers.rnn.model import load_trained_model
from helpers.rnn.runs import is_finished
from helpers.rnn.train import read_tune_nats

__all__ = ["CARD_FORM", "MASKED", "SAMPLE_FIGURES", "card_figures"]

# The columns of compare.summarise that the card reports, and what each one is.
SAMPLE_FIGURES = {
    "tunes": "tunes scored",
    "abc2midi_ok": "abc2midi accepts",
    "abc2midi_bar_warnings": "abc2midi bar-length warnings per tune",
    "valid": "valid (header, music21, every bar fits)",
    "tv_pitch_class": "total variation of pitch classes from the real tunes",
    "tv_interval": "total variation of intervals from the real tunes",
    "interval_ngram_share": "share of interval 8-grams found in the training tunes",
    "interval_copy_mean": "longest run of intervals copied from one training tune (mean)",
    "nearest_distance": "edit distance to the nearest training tune (intervals, normalised)",
    "tv_meter": "total variation of meters from the real tunes",
    "tv_key": "total variation of keys from the real tunes",
    "aabb": "two parts, each played twice (AABB)",
    "eight_bar_parts": "every part 8 bars long",
    "dance_form": "AABB with 8-bar parts",
    "bars_per_part": "bars per part (mean)",
}
# The card's samplings beside free sampling: valid ABC only, and the dance-tune form (constrained, form).
CARD_FORM = "AABB"
MASKED = ((True, "free"), (True, CARD_FORM))


# What the card's table of candidates shows of each configuration tried, and how many samples it scores of each.
CANDIDATE_METRICS = ("epochs_completed", "best_epoch", "best_val_loss", "test_nats_per_tune", "wall_seconds", "machine")
CANDIDATE_SAMPLES = 200


def read_json(path: Path) -> dict:
    """A run's JSON file; one that is cut short or edited is refused naming it."""
    return read_json_object(path, "train that run again (make train-shipped resumes or redoes it)")


def sample_figures(run_dir: Path, data_dir: Path, n: int = 500, seed: int = 0, masked: bool = False) -> dict[str, dict]:
    """The card's sample columns for n free samples at T = 1 and for the real held-out tunes, by setting
    (compare.setting_name); masked: n samples of each MASKED setting too."""
    config = RunConfig.load(run_dir / CONFIG)
    texts = model_data(read_prepared(data_dir), config.keys, config.notation)
    index = TrainingIndex([tune.text for tune in split_records(texts.train, "train")])
    real = compare.score_real(list(texts.test_tunes), index)
    generated = compare.sample_and_score(run_dir, "shipped", index, temperatures=(1.0,), n=n, seed=seed)
    for constrained, form in MASKED if masked else ():
        generated += compare.sample_and_score(
            run_dir, "shipped", index, temperatures=(1.0,), n=n, seed=seed, constrained=constrained, form=form
        )
    rows = {row["model"]: row for row in compare.summarise(generated, real)}
    return {name: {column: measured(rows[name].get(column)) for column in SAMPLE_FIGURES} for name in rows}


def measured(value):
    """A figure, or None where there was nothing to measure (NaN: e.g. no tune that abc2midi could read)."""
    return None if isinstance(value, float) and value != value else value


def reference_nats(reference_dir: Path, data_dir: Path, run_dir: Path, unseen_sources: tuple[str, ...]) -> dict:
    """Nats per test tune of an older model and the shipped one, on the test tunes from collections it never saw.

    The older model reads each tune as written; the shipped one reads it as it was trained (e.g. in C), which is
    the same music. Tunes the shipped model's key handling left out are left out of both.
    """
    config = RunConfig.load(reference_dir / CONFIG)
    if config.symbols != "chars" or config.keys != "as written" or config.notation != "as written":
        raise ValueError(f"{reference_dir} must be a character model of tunes as written")
    tunes, sources = read_tunes(data_dir, "test"), read_prepared(data_dir).manifest["test"]["tune_sources"]
    shipped = read_tune_nats(run_dir)
    chosen = [i for i in sorted(shipped) if sources[i] in unseen_sources]
    if not chosen:
        raise ValueError(f"no test tune comes from {unseen_sources}")
    model = load_trained_model(reference_dir)
    vocab = Vocabulary.load(reference_dir / VOCAB)
    older = nats_per_tune(model, vocab, [tunes[i].text for i in chosen])
    newer = np.array([shipped[i] for i in chosen])
    return {
        "tunes": len(chosen),
        "sources": list(unseen_sources),
        "reference_nats_per_tune": float(older.mean()),
        "shipped_nats_per_tune": float(newer.mean()),
        "reduction": float(1 - newer.mean() / older.mean()),
    }


def candidate_figures(run_dir: Path, data_dir: Path, n: int = CANDIDATE_SAMPLES) -> list[dict]:
    """Every finished shipped-* run beside run_dir (the configurations tried), with its held-out nats and samples.

    Each candidate's n free samples at T = 1 are scored once and kept in its folder (samples-T1-n<n>.json), so
    writing the card again samples only new candidates.
    """
    rows = []
    for candidate in sorted(Path(run_dir).parent.glob("shipped-*")):
        if not is_finished(candidate):
            continue
        kept = candidate / f"samples-T1-n{n}.json"
        if not kept.is_file():
            write_json(sample_figures(candidate, data_dir, n=n)["shipped"], kept)
        metrics = read_json(candidate / METRICS)
        rows.append(
            {
                "run": candidate.name,
                "shipped": candidate.resolve() == Path(run_dir).resolve(),
                "config": read_json(candidate / CONFIG),
                "metrics": {key: metrics[key] for key in CANDIDATE_METRICS},
                "samples": read_json(kept),
            }
        )
    return rows


def card_figures(run_dir: Path, data_dir: Path, reference_dir: Path | None = None, n: int = 500) -> dict:
    """Everything the model card says, as numbers: read from the run folder, the data and the samples."""
    run_dir = Path(run_dir)
    metrics, description = read_json(run_dir / METRICS), read_json(run_dir / DATA)
    figures = {
        "config": read_json(run_dir / CONFIG),
        "data": {key: description.get(key) for key in ("corpus", "seed", "cleaning")}
        | {name: {"tunes": description[name]["tunes"], "sources": description[name]["sources"]} for name in SPLITS},
        "metrics": metrics,
        "samples": sample_figures(run_dir, data_dir, n=n, masked=True),
        "candidates": candidate_figures(run_dir, data_dir, n=min(n, CANDIDATE_SAMPLES)),
    }
    if reference_dir is not None:
        trained_on = read_json(Path(reference_dir) / DATA).get("corpus")
        unseen = tuple(source for source in description["test"]["sources"] if source != trained_on)
        figures["reference"] = reference_nats(Path(reference_dir), data_dir, run_dir, unseen)
        figures["reference"]["name"] = Path(reference_dir).name
    return figures
