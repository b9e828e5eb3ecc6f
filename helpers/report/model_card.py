"""The shipped model's card (models/<name>/README.md), written from the figures that analysis measured.

No number in it is typed by hand: each one comes from card.json beside it, which helpers.analysis.shipped wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from helpers.analysis.compare import setting_name
from helpers.analysis.shipped import CARD_FORM, MASKED, SAMPLE_FIGURES, card_figures
from helpers.config import MODEL
from helpers.files import read_json_object, replacing, write_json, write_text
from helpers.report.study_section import duration, machine_words
from helpers.rnn.model import load_trained_model
from helpers.rnn.runs import COMPOSER, ship_model, shipped_model_dir
from helpers.rnn.shipped import shipped_data_dir, shipped_run_dir

__all__: list[str] = []  # nothing here is used outside helpers.report

# The issues' targets for the samples at T = 1, by setting and figure: the target and which way it goes. REAL as a
# target is the real held-out tunes' own figure.
FREE, VALID, IN_FORM = (setting_name("shipped", constrained, form) for constrained, form in ((False, "free"), *MASKED))
REAL_FIGURE = "the real tunes'"
TARGETS = {
    (FREE, "abc2midi_ok"): (0.95, "at least"),
    (FREE, "abc2midi_bar_warnings"): (0.5, "at most"),
    (FREE, "aabb"): (REAL_FIGURE, "at least"),
    (FREE, "eight_bar_parts"): (REAL_FIGURE, "at least"),
    (FREE, "tv_meter"): (0.05, "at most"),
    (FREE, "tv_key"): (0.05, "at most"),
    (FREE, "tv_pitch_class"): (0.05, "at most"),
    (FREE, "tv_interval"): (0.05, "at most"),
    (IN_FORM, "dance_form"): (0.99, "at least"),
    (IN_FORM, "abc2midi_ok"): (1.0, "at least"),
}
SETTING_WORDS = {FREE: "free", VALID: "valid ABC only", IN_FORM: f"form {CARD_FORM}"}
REFERENCE_TARGET = 0.25  # nats per held-out tune at least 25% below the older best model's


def number(value, digits: int = 3) -> str:
    """A figure as the card prints it ('n/a' when it was not measured)."""
    if value is None or value != value:
        return "n/a"
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 10:
        return f"{int(value):,}"
    return f"{value:.{digits}f}"


def verdict(value, target: float, direction: str) -> str:
    """'met' or 'missed by ...' for one target."""
    if value is None or value != value:
        return "not measured"
    met = value >= target if direction == "at least" else value <= target
    return "met" if met else f"missed by {abs(value - target):.3f}"


def target_value(samples: dict[str, dict], setting: str, column: str) -> float | None:
    """A target's value: its number, or the real tunes' own figure."""
    target, _ = TARGETS[setting, column]
    return samples["real"].get(column) if target == REAL_FIGURE else target


def judged(samples: dict[str, dict]) -> dict[tuple[str, str], str]:
    """Each target's verdict on the samples: 'met', 'missed by ...' or 'not measured'."""
    return {
        (setting, column): verdict(samples.get(setting, {}).get(column), target_value(samples, setting, column), way)
        for (setting, column), (_, way) in TARGETS.items()
    }


def sample_table(samples: dict[str, dict]) -> list[str]:
    """The samples' figures in each setting beside the real held-out tunes', with the targets."""
    settings = [setting for setting in SETTING_WORDS if setting in samples]
    lines = [
        "| figure | real held-out tunes | "
        + " | ".join(f"T = 1, {SETTING_WORDS[s]}" for s in settings)
        + " | target |",
        "|---|---|" + "---|" * len(settings) + "---|",
    ]
    verdicts = judged(samples)
    for column, meaning in SAMPLE_FIGURES.items():
        targets = [
            f"{SETTING_WORDS[setting]}: {TARGETS[setting, column][1]} {number(target_value(samples, setting, column))}"
            f", {verdicts[setting, column]}"
            for setting in settings
            if (setting, column) in TARGETS
        ]
        figures = " | ".join(number(samples[setting].get(column)) for setting in settings)
        lines.append(f"| {meaning} | {number(samples['real'].get(column))} | {figures} | {'; '.join(targets)} |")
    return lines


def model_card(name: str, figures: dict) -> str:
    """The card's Markdown text."""
    config, data, metrics = figures["config"], figures["data"], figures["metrics"]
    machine = metrics["machine"]
    where = machine_words(machine)
    counts = ", ".join(f"{data[name]['tunes']:,} {name}" for name in ("train", "validation", "test"))
    left_out = metrics.get("tunes_left_out") or {}
    lines = [
        f"# Model card: {name}",
        "",
        "Written by `python -m helpers.report.model_card` (the last step of `make train-shipped`) from the files of its"
        " run; every number below is measured.",
        "",
        "## Data",
        f"- Corpus `{data['corpus']}`: {', '.join(sorted(data['train']['sources']))} (music21's packaged "
        "collections of instrumental folk tunes), cleaned and deduplicated: "
        f"{data['cleaning']['tunes_in']:,} tunes read, {data['cleaning']['tunes_out']:,} kept.",
        f"- Split by tune with seed {data['seed']}: {counts}.",
        f"- Keys: {config['keys']}; notation: {config.get('notation', 'as written')}."
        + (f" {left_out_sentence(left_out)}" if left_out else ""),
        "",
        "## Model",
        f"- Reads {config['symbols']}; vocabulary of {metrics['vocab_size']} symbols.",
        f"- {config['layers']} x {config['cell']}-{config['hidden_size']}, {config['encoding']} input"
        f" ({config['embedding_dim']} dimensions), dropout {config['dropout']}: {metrics['parameters']:,} parameters,"
        f" {figures['files_mb']:.1f} MB of files (float32).",
        f"- Trained with {config['optimizer']} at learning rate {config['learning_rate']},"
        f" batch {config['batch_size']},"
        f" chunks of {config['chunk_length']}: {metrics['epochs_completed']} epochs"
        f" ({'ended by its time budget' if budget_mark(config, metrics) else metrics['stopped']}), best at"
        f" epoch {metrics['best_epoch']}, {duration(metrics['wall_seconds'])} on {where}"
        f" ({machine['platform']}).",
        "",
        "## Held-out loss",
        f"- Per symbol: {metrics['test_loss']:.3f} nats ({metrics['test_bits']:.3f} bits) on the test set.",
        f"- Per tune: {metrics['test_nats_per_tune']:.1f} nats on {metrics['test_tunes']} test tunes.",
    ]
    if "reference" in figures:
        reference = figures["reference"]
        cut = reference["reduction"]
        lines += [
            f"- Against the older `{reference['name']}` model, on the {reference['tunes']} test tunes from "
            f"collections it never trained on ({', '.join(reference['sources'])}): "
            f"{reference['shipped_nats_per_tune']:.1f} against {reference['reference_nats_per_tune']:.1f} nats per "
            f"tune, {abs(cut):.0%} {'lower' if cut >= 0 else 'higher'} (target {REFERENCE_TARGET:.0%} lower: "
            f"{'met' if cut >= REFERENCE_TARGET else f'missed by {REFERENCE_TARGET - cut:.0%}'}). The older model "
            "reads each tune as written, this one as it was trained.",
        ]
    candidates, samples = figures.get("candidates", []), figures["samples"]
    missed = [key for key, said in judged(figures["samples"]).items() if said.startswith("missed")]
    if missed:
        as_written = sum(row["config"].get("notation", "as written") == "as written" for row in candidates)
        lines += [
            "",
            "## Targets missed, and what was tried",
            "- Missed: "
            + "; ".join(f"{SAMPLE_FIGURES[column]} ({SETTING_WORDS[setting]})" for setting, column in missed)
            + " (by how much: the table below).",
            f"- {len(candidates)} configurations were trained (the table of candidates below)"
            + (
                f"; {as_written} of them read the tunes as written, before the canonical notation, so their nats per"
                " tune are of other texts"
                if as_written and config.get("notation") == "canonical"
                else ""
            )
            + f". At its best epoch this one's training loss was {metrics['train_loss_at_best']:.3f} and its"
            f" validation loss {metrics['best_val_loss']:.3f} nats per symbol"
            + (
                ": its time budget ended training while it was still improving, so a longer run may lower both."
                if budget_mark(config, metrics)
                else "."
            ),
            "- Free sampling at T = 1 is the hardest setting: "
            + (
                "the real held-out tunes themselves do not all pass abc2midi (first column)."
                if (samples["real"].get("abc2midi_ok") or 0) < 1
                else "the real held-out tunes, as the network read them, all pass abc2midi (first column), so what"
                " the free samples break is the network's, not the data's."
            )
            + " With the valid-ABC sampler (`constrained=True`, the generator panel's default) every tune is valid"
            f" ABC by construction, and with `form='{CARD_FORM}'` it has that form too.",
        ]
    lines += [
        "",
        f"## Samples ({samples[FREE]['tunes']} tunes in each setting, T = 1, seed 0)",
        "",
        *sample_table(samples),
        "",
    ]
    if figures.get("candidates"):
        lines += [
            f"## Candidates ({figures['candidates'][0]['samples']['tunes']} free samples each at T = 1, seed 0)",
            "",
            *candidate_table(figures["candidates"]),
            "",
        ]
    return "\n".join(lines)


def left_out_sentence(left_out: dict[str, int], shown: int = 3) -> str:
    """How many tunes of each split were left out (keys 'split: reason'), and the most common reasons."""
    by_split, by_reason = {}, {}
    for key, count in left_out.items():
        split, _, reason = key.partition(": ")
        by_split[split] = by_split.get(split, 0) + count
        by_reason[reason] = by_reason.get(reason, 0) + count
    common = sorted(by_reason.items(), key=lambda item: -item[1])[:shown]
    return (
        "Left out of these because their key cannot be moved or their notation rewritten: "
        + ", ".join(f"{count:,} {split}" for split, count in by_split.items())
        + f" tunes; the {len(common)} most common of {len(by_reason)} reasons: "
        + "; ".join(f"{reason} ({count:,})" for reason, count in common)
        + " (every reason is in card.json)."
    )


def budget_mark(config: dict, metrics: dict) -> str:
    """', time budget' for a run that ended before its epochs and before early stopping's patience ran out."""
    patience = config.get("early_stopping_patience") or 0
    waited = metrics["epochs_completed"] - metrics["best_epoch"]
    return ", time budget" if metrics["epochs_completed"] < config["epochs"] and waited < patience else ""


def candidate_table(candidates: list[dict]) -> list[str]:
    """One row per configuration tried: its settings, where it trained, its held-out nats and its samples."""
    lines = [
        "| configuration | trained on | epochs (best) | nats per test tune | abc2midi accepts | bar warnings"
        " per tune | TV pitch classes | TV intervals |",
        "|---|---|---|---|---|---|---|---|",
    ]
    # "time budget": ended by the budget of a lent machine (--minutes) while still improving, not by early stopping
    for row in candidates:
        config, metrics, samples = row["config"], row["metrics"], row["samples"]
        name = (
            f"{config['layers']} x {config['cell']}-{config['hidden_size']}, dropout {config['dropout']},"
            f" {config['symbols']}, {config.get('notation', 'as written')}, Adam {config['learning_rate']:g}"
            + (" (shipped)" if row["shipped"] else "")
        )
        lines.append(
            f"| {name} | {machine_words(metrics['machine'])} |"
            f" {metrics['epochs_completed']} ({metrics['best_epoch']}){budget_mark(config, metrics)} |"
            f" {metrics['test_nats_per_tune']:.1f} |"
            f" {number(samples['abc2midi_ok'])} | {number(samples['abc2midi_bar_warnings'], 2)} |"
            f" {number(samples['tv_pitch_class'])} | {number(samples['tv_interval'])} |"
        )
    return lines


def write_model_card(name: str, figures: dict, path: Path) -> Path:
    """Write the card, whole or not at all."""
    write_text(model_card(name, figures), path)
    return Path(path)


def earlier_candidates(card: Path, current: Sequence[dict]) -> list[dict]:
    """The configurations an earlier card lists that are not among the current ones (trained elsewhere, or on
    another notation), kept as tried, none of them shipped."""
    if not Path(card).is_file():
        return []
    names = {row["run"] for row in current}
    earlier = read_json_object(card, "write the card again from its run (python -m helpers.report.model_card)")
    return [row | {"shipped": False} for row in earlier.get("candidates", []) if row["run"] not in names]


def without_optimizer(folder: Path) -> None:
    """Save the folder's model again without its optimizer's state (Adam's two moments would triple its size)."""
    model = load_trained_model(folder)
    with replacing(Path(folder) / MODEL) as partial:
        model.save(partial)


def ship_with_card(
    root: Path | None = None,
    run_dir: Path | None = None,
    data_dir: Path | None = None,
    n: int = 500,
    reference: str | None = "best",
) -> Path:
    """Measure the finished shipped run, copy it to models/<name>, and write its card.json and README.md there."""
    run_dir, data_dir = run_dir or shipped_run_dir(root), data_dir or shipped_data_dir(root)
    reference_dir = shipped_model_dir(root, reference) if reference else None
    figures = card_figures(run_dir, data_dir, reference_dir, n=n)
    figures["candidates"] += earlier_candidates(shipped_model_dir(root, COMPOSER) / "card.json", figures["candidates"])
    target = ship_model(run_dir, root, COMPOSER)
    without_optimizer(target)
    figures["files_mb"] = sum(path.stat().st_size for path in target.iterdir() if path.is_file()) / 2**20
    write_json(figures, target / "card.json")
    return write_model_card(COMPOSER, figures, target / "README.md")


if __name__ == "__main__":
    print(ship_with_card())
