"""The study in the report: its tables (LaTeX) and its sentences (budget, best model, claims), from its results."""

from __future__ import annotations

import math
from collections import Counter

from helpers.analysis.significance import ALPHA
from helpers.analysis.study import ORIGINAL_REPORT, aggregate
from helpers.config import OPTIMIZER_NAMES, Profile, RunConfig
from helpers.report.latex import latex_count, latex_escape, latex_table

__all__ = [
    "best_model_paragraph",
    "budget_paragraph",
    "claim_sentences",
    "claims_section",
    "machine_description",
    "original_table",
    "summary_table",
    "temperature_table",
]

CLAIMS_HEADER = ["claim", "budget", "difference", "$t$", "df", "$p$", "Holm $p$", "verdict"]

# What the second level of each per-tune factor changes, in words.
PER_TUNE_CHANGES = {
    "symbols": "reading tokens instead of characters",
    "keys": "moving every tune to C",
    "notation": "rewriting every tune in the canonical notation",
}


def mean_std(entry: dict, column: str, digits: int = 3) -> str:
    """'1.234 ± 0.005' in LaTeX, or the mean alone when there is one seed."""
    mean, std = entry[f"{column}_mean"], entry[f"{column}_std"]
    return f"{mean:.{digits}f}" if math.isnan(std) else f"${mean:.{digits}f} \\pm {std:.{digits}f}$"


def duration(seconds: float) -> str:
    """A training time in words: minutes under an hour, else hours."""
    return f"{seconds / 60:.0f} minutes" if seconds < 3600 else f"{seconds / 3600:.1f} hours"


def machine_words(machine: dict) -> str:
    """Where a run trained, from its machine facts: its GPUs by name (or CPU cores) and its Keras backend."""
    gpus = machine.get("gpu_names") or ([f"{machine['gpus']} GPU(s)"] if machine["gpus"] else [])
    device = " + ".join(gpus) if gpus else f"{machine['cpu_count']} CPU cores, no GPU"
    return f"{device}, Keras on {machine.get('backend', 'tensorflow')}"


def machine_description(results: list[dict]) -> str:
    """The machines the distinct runs recorded at training time, e.g. '2 CPU cores, 1 thread per run'."""
    runs = {row["run"]: row for row in results}.values()
    machines = Counter(
        (row["machine_cpu_count"], row["machine_gpus"], row.get("machine_threads"))
        for row in runs
        if row["machine_cpu_count"] is not None
    )
    described = [
        f"{cpus} CPU cores"
        + (f" and {gpus} GPU{'s' if gpus > 1 else ''}" if gpus else "")
        + (f", {counted(threads, 'thread')} per run" if threads and threads < cpus else "")
        + (f" ({counted(count, 'run')})" if len(machines) > 1 else "")
        for (cpus, gpus, threads), count in machines.items()
    ]
    unrecorded = len(runs) - sum(machines.values())
    text = "; ".join(described) if described else "a machine the runs did not record"
    return text + (f" ({unrecorded} of the {len(runs)} runs did not record theirs)" if described and unrecorded else "")


def summary_table(summary: list[dict], machine: str) -> str:
    """The study's main table: losses (mean ± std over seeds), epochs, parameters, wall time."""
    header = ["factor", "level", "seeds", "train (final)", "validation (final)", "validation (best)"]
    header += ["best epoch", "epochs", "parameters", "seconds"]
    rows = [
        [
            latex_escape(entry["factor"]),
            latex_escape(entry["label"]),
            str(entry["seeds"]),
            mean_std(entry, "final_train_loss"),
            mean_std(entry, "final_val_loss"),
            mean_std(entry, "best_val_loss"),
            mean_std(entry, "best_epoch", 0),
            mean_std(entry, "epochs_completed", 0),
            latex_count(entry["parameters"]),
            mean_std(entry, "wall_seconds", 0),
        ]
        for entry in summary
    ]
    caption = (
        "Final and best losses in nats per character, mean $\\pm$ standard deviation over the seeds of each "
        f"level; epochs trained, and wall time per run on {latex_escape(machine)}."
    )
    return latex_table(header, rows, caption, "tab:study", column_gap="4pt")


def original_table(summary: list[dict]) -> str:
    """The original report's final losses (one run each) beside ours (mean ± std over seeds)."""
    ours = {(entry["factor"], entry["label"]): entry for entry in summary}
    rows = [
        [
            latex_escape(factor),
            latex_escape(label),
            f"{train:.3f}",
            f"{validation:.3f}",
            mean_std(ours[factor, label], "final_train_loss"),
            mean_std(ours[factor, label], "final_val_loss"),
        ]
        for (factor, label), (train, validation) in ORIGINAL_REPORT.items()
        if (factor, label) in ours
    ]
    header = ["factor", "level", "original train", "original validation", "our train", "our validation"]
    caption = "Final losses in nats per character: the original report (one run) against this study (all seeds)."
    return latex_table(header, rows, caption, "tab:original")


def temperature_table(tempered: dict[float, float], samples: dict[float, dict]) -> str:
    """The assignment's temperature table done right: what T changes is sampling, not training."""
    rows = [
        [
            f"{t:g}",
            f"{loss:.3f}",
            f"{loss / math.log(2):.3f}",
            f"{samples[t]['finished']:.0%}".replace("%", r"\%"),
            f"{samples[t]['mean_length']:.0f}",
        ]
        for t, loss in tempered.items()
    ]
    header = ["$T$", "cross-entropy (nats/char)", "bits/char", r"samples reaching \texttt{<end>}", "mean length"]
    caption = (
        "Validation cross-entropy of the temperature-scaled distribution of the baseline model, and "
        "what its samples look like at each temperature."
    )
    return latex_table(header, rows, caption, "tab:temperature")


def epoch_range(epochs: list[int]) -> str:
    """'23' or '23 to 40'."""
    return f"{min(epochs)}" if min(epochs) == max(epochs) else f"{min(epochs)} to {max(epochs)}"


def counted(number: int, noun: str) -> str:
    """'1 epoch', '3 epochs'."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def convergence_rule(profile: Profile) -> str:
    """How a run trained to convergence stops, in words."""
    return (
        f"training stops after {counted(profile.converged_patience, 'epoch')} without a better validation loss, "
        f"at most {counted(profile.converged_epochs, 'epoch')}"
    )


def budget_paragraph(results: list[dict], profile: Profile) -> str:
    """The study's budgets in epochs and its measured training time, total and per configuration, as LaTeX."""
    distinct = {row["run"]: row for row in results}.values()  # a run shared by factors counts once
    per_level = sorted(aggregate(results, ("wall_seconds",)), key=lambda entry: entry["wall_seconds_mean"])
    fastest, slowest = per_level[0], per_level[-1]
    converged = [row for row in distinct if row["converged"]]
    fixed = [row for row in distinct if not row["converged"]]

    def name(entry: dict) -> str:
        return latex_escape(f"{entry['factor']} {entry['label']}")

    text = f"Every run trains in batches of {profile.batch_size} chunks of {profile.chunk_length} characters. "
    if fixed:
        text += f"{counted(len(fixed), 'run')} train for the fixed budget of {counted(profile.epochs, 'epoch')}. "
    if converged:
        factors = latex_escape(" and ".join(dict.fromkeys(row["factor"] for row in converged)))
        stopped = sum(row["stopped"] == "early" for row in converged)
        text += (
            f"The {len(converged)} runs of {factors} train to convergence ({convergence_rule(profile)}): they "
            f"took {epoch_range([row['epochs_completed'] for row in converged])} epochs, and {stopped} of them "
            "stopped before the cap. "
        )
    return text + (
        f"The study's {len(distinct)} distinct runs took "
        f"{counted(round(sum(row['wall_seconds'] for row in distinct) / 60), 'minute')} of training on "
        f"{latex_escape(machine_description(results))}, from {fastest['wall_seconds_mean']:.0f}~s per run "
        f"({name(fastest)}) to {slowest['wall_seconds_mean']:.0f}~s ({name(slowest)}).\n"
    )


def best_model_paragraph(config: RunConfig, parameters: int) -> str:
    """What the best model is, in words, for the report."""
    inputs = f"a {config.embedding_dim}-dimensional embedding" if config.encoding == "embedding" else "one-hot inputs"
    dropout = f", dropout {config.dropout:g} after each recurrent layer" if config.dropout else ""
    return (
        f"The best model is a {config.layers}-layer {config.cell} with {config.hidden_size} units per layer on "
        f"{inputs}{dropout}, trained with {OPTIMIZER_NAMES[config.optimizer]} at learning rate "
        f"{config.learning_rate:g} for {config.epochs} epochs, the study's fixed budget; it has "
        f"{latex_count(parameters)} parameters.\n"
    )


def p_value(p: float) -> str:
    """A p-value as text: two significant digits, or '< 0.001'."""
    if math.isnan(p):
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.2g}"


def p_phrase(name: str, p: float) -> str:
    """'p = 0.012' or 'p < 0.001'."""
    shown = p_value(p)
    return f"{name} {shown}" if shown.startswith("<") else f"{name} = {shown}"


def claim_name(claim: dict) -> str:
    """What a tested claim compares, e.g. 'dropout 0.0 vs 0.1'."""
    first, second = claim["first"], claim["second"]
    names = {
        "hidden": f"hidden units {first} vs {second}",
        "dropout": f"dropout {first} vs {second}",
        "optimizer": f"{OPTIMIZER_NAMES.get(first, first)} vs {OPTIMIZER_NAMES.get(second, second)}",
        "cell": f"{first} vs {second}",
        "best": f"baseline vs best model {second}",
        "symbols": f"{first} vs {second} (per tune)",
        "keys": f"keys {first} vs {second} (per tune)",
        "notation": f"notation {first} vs {second} (per tune)",
    }
    return names[claim["kind"]]


def budget_name(claim: dict) -> str:
    """'20 epochs', or 'converged (23 to 40 epochs)'."""
    epochs = epoch_range(claim["epochs"])
    noun = "epoch" if epochs == "1" else "epochs"
    return f"converged ({epochs} {noun})" if claim["budget"] == "converged" else f"{epochs} {noun}"


def claims_table(found: list[dict]) -> str:
    """Every tested claim with its difference, Welch's t, df, p, Holm-adjusted p and the verdict from the latter."""
    rows = [
        [
            latex_escape(claim_name(claim)),
            latex_escape(budget_name(claim)),
            f"{claim['difference']:+.3f}",
            f"{claim['t']:.1f}",
            f"{claim['df']:.1f}",
            latex_escape(p_value(claim["p"])),
            latex_escape(p_value(claim["p_adjusted"])),
            latex_escape(claim["verdict"]),
        ]
        for claim in found
        if "p" in claim
    ]
    caption = (
        "The claims tested: difference of the mean best validation loss (second minus first, nats/char; for "
        "symbols and keys, of the mean nats per test tune), "
        f"Welch's $t$ with its Welch--Satterthwaite degrees of freedom, $p$, and $p$ after Holm's correction over "
        f"all {len(rows)} claims; beyond seed noise only when the adjusted $p$ is below {ALPHA:g}."
    )
    return latex_table(CLAIMS_HEADER, rows, caption, "tab:claims", column_gap="4pt")


def budget_phrase(claim: dict, profile: Profile) -> str:
    """At which budget a claim was measured, with the epochs the runs took."""
    if claim["budget"] == "fixed":
        return f"at the fixed {epoch_range(claim['epochs'])}-epoch budget"
    return (
        f"at convergence ({convergence_rule(profile)}; the runs took {epoch_range(claim['epochs'])} epochs, and "
        f"{claim['stopped_early']} of {claim['runs']} stopped before the cap)"
    )


def measured(claim: dict, first: str, second: str) -> str:
    """The numbers of one test, in words: means, difference, t, df, p, adjusted p and verdict."""
    return (
        f"{first} {claim['first_mean']:.3f}, {second} {claim['second_mean']:.3f} {claim['unit']}: a difference of "
        f"{claim['difference']:+.3f} (t = {claim['t']:.1f}, df = {claim['df']:.1f}, {p_phrase('p', claim['p'])}, "
        f"{p_phrase('Holm-adjusted p', claim['p_adjusted'])}), {claim['verdict']}"
    )


def improving_caveat(claim: dict) -> str:
    """A sentence when a compared level was still improving at the end of its training, else ''."""
    improving = claim["still_improving"]
    if not improving:
        return ""
    where = "even at the cap" if claim["budget"] == "converged" else "at the end"
    return (
        f" {' and '.join(improving)} {'were' if len(improving) > 1 else 'was'} still improving {where} (every "
        "seed at its best in one of its last two epochs), so this holds for this number of epochs only."
    )


def cell_sentence(converged: dict, fixed: dict | None, profile: Profile) -> str:
    """A cell-type claim at convergence and, beside it, at the fixed budget, and whether the two agree."""
    simple, cell = converged["first"], converged["second"]
    text = (
        f"{cell} against {simple} ({converged['factor']}), {budget_phrase(converged, profile)}: "
        + measured(converged, simple, cell)
        + "."
        + improving_caveat(converged)
    )
    if fixed is None:
        return text
    same = fixed["verdict"] == converged["verdict"] and (fixed["difference"] > 0) == (converged["difference"] > 0)
    return (
        text
        + f" The same runs {budget_phrase(fixed, profile)}: "
        + measured(fixed, simple, cell)
        + "."
        + (
            " The direction and the verdict are the same at both budgets."
            if same
            else " This claim depends on the budget."
        )
    )


def claim_sentences(found: list[dict], profile: Profile) -> list[str]:
    """Each claim as a sentence with its numbers; a cell type's two budgets make one sentence."""
    by_key = {claim["key"]: claim for claim in found}
    sentences = []
    for claim in found:
        kind, first, second = claim["kind"], claim.get("first"), claim.get("second")
        if kind == "hidden":
            original = [ORIGINAL_REPORT[("hidden units", level)][1] for level in (first, second)]
            sentences.append(
                f"Hidden units, {first} to {second} (the original report's single runs: validation "
                f"{original[0]:.3f} to {original[1]:.3f}). Here, {budget_phrase(claim, profile)}, best validation "
                f"loss " + measured(claim, first, second) + "." + improving_caveat(claim)
            )
        elif kind == "dropout":
            effect = "raises" if claim["difference"] > 0 else "lowers"
            sentences.append(
                f"Dropout {second} {effect} the best validation loss {budget_phrase(claim, profile)}: "
                + measured(claim, "none", second)
                + "."
                + improving_caveat(claim)
            )
        elif kind == "optimizer":
            better = OPTIMIZER_NAMES[first] if claim["difference"] > 0 else OPTIMIZER_NAMES[second]
            sentences.append(
                f"At the same learning rate and {budget_phrase(claim, profile)}, {better} does better: "
                + measured(claim, OPTIMIZER_NAMES[first], OPTIMIZER_NAMES[second])
                + ". Adagrad's steps shrink as it accumulates squared gradients, so it needs a larger learning "
                "rate than RMSprop."
            )
        elif kind == "cell" and claim["budget"] == "converged":
            fixed = by_key.get(claim["key"].removesuffix("-converged") + "-fixed")
            sentences.append(cell_sentence(claim, fixed, profile))
        elif kind == "best":
            met = "meets" if claim["gain"] >= claim["target"] else "misses"
            sentences.append(
                f"Beyond the assignment, {budget_phrase(claim, profile)}, the best model reaches a best validation "
                f"loss {claim['gain']:.0%} lower than the baseline's, which {met} the {claim['target']:.0%} "
                "target: " + measured(claim, "baseline", "best model") + "." + improving_caveat(claim)
            )
        elif kind in PER_TUNE_CHANGES:
            change = PER_TUNE_CHANGES[kind]
            effect = "costs" if claim["difference"] > 0 else "saves"
            sentences.append(
                f"{change[0].upper()}{change[1:]} {effect} {abs(claim['difference']):.1f} nats per tune on the "
                f"{claim['tunes']} test tunes every run of the factor scored, {budget_phrase(claim, profile)} "
                "(per tune, because a loss per token and a loss per character measure different steps): "
                + measured(claim, first, second)
                + "."
                + improving_caveat(claim)
            )
        elif kind == "first-epoch":
            sentences.append(
                f"In the first epoch the validation loss is below the training loss in {claim['below']} of "
                f"{claim['runs']} runs without any dropout: the training loss of an epoch is averaged while the "
                "weights still improve, so the original report's explanation (dropout) is not needed."
            )
    return sentences


def claims_section(found: list[dict], profile: Profile) -> str:
    """The claims for the report's discussion: how they were tested, the table, and one sentence each."""
    tested = sum("p" in claim for claim in found)
    method = (
        "Each claim compares the mean best validation loss of two levels over their seeds with Welch's "
        f"$t$-test; the {tested} $p$-values are adjusted together with Holm's method, and a difference counts as "
        f"beyond seed noise only when its adjusted $p$ is below {ALPHA:g}. Otherwise the seeds cannot decide "
        "the claim either way.\n"
    )
    items = "\n".join(f"  \\item {latex_escape(sentence)}" for sentence in claim_sentences(found, profile))
    return method + claims_table(found) + f"\\begin{{itemize}}\n{items}\n\\end{{itemize}}\n"
