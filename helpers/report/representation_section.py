"""The report's section on what the network reads: characters or tokens, keys as written or in C, and the model
shipped for composing, each number taken from the study's results and the shipped model's card.json.
"""

from __future__ import annotations

import json
from pathlib import Path

from helpers.analysis.compare import setting_name
from helpers.analysis.shipped import CARD_FORM
from helpers.analysis.study import PER_TUNE_FACTORS
from helpers.config import Profile
from helpers.report.latex import latex_escape, latex_table
from helpers.report.study_section import claim_sentences, duration, machine_words, mean_std
from helpers.rnn.runs import COMPOSER, shipped_model_dir

__all__ = ["read_card", "representation_section"]

HEADER = ["factor", "level", "seeds", "nats per test tune", "loss per symbol (nats)", "parameters"]


def representation_table(summary: list[dict]) -> str:
    """Each level of the two factors: nats per test tune (the comparable measure) beside the loss per symbol."""
    rows = [
        [
            latex_escape(entry["factor"]),
            latex_escape(entry["label"]),
            str(entry["seeds"]),
            mean_std(entry, "nats_per_tune", digits=1),
            mean_std(entry, "test_loss"),
            f"{entry['parameters']:,}",
        ]
        for entry in summary
        if entry["factor"] in PER_TUNE_FACTORS
    ]
    caption = (
        "Characters or tokens, and keys as written or moved to C: mean over seeds (with the standard deviation) "
        "of the nats per test tune, on the test tunes every run of the factor scored, and of the test loss per "
        "symbol, which is per character for one level and per token for the other, so only the first compares them."
    )
    return latex_table(HEADER, rows, caption, "tab:representation")


def candidates_clause(candidates: list[dict]) -> str:
    """How many configurations were tried for the shipped model, as a clause ('' when the card lists none)."""
    return f", chosen from {len(candidates)} configurations tried (its card lists them)" if len(candidates) > 1 else ""


def shipped_paragraph(card: dict) -> str:
    """The shipped model in a few sentences, from its card's figures."""
    config, metrics, samples = card["config"], card["metrics"], card["samples"]["shipped"]
    text = (
        f"The model shipped for composing (models/folk-lstm, trained by make train-shipped) reads {config['symbols']} "
        f"of the dance-tune corpus ({card['data']['cleaning']['tunes_out']:,} tunes after cleaning and "
        f"deduplication), keys {config['keys']}, notation {config.get('notation', 'as written')}: "
        f"{config['layers']} x {config['cell']}-{config['hidden_size']}, "
        f"{metrics['parameters']:,} parameters, {metrics['epochs_completed']} epochs in "
        f"{duration(metrics['wall_seconds'])} on {machine_words(metrics['machine'])}"
        f"{candidates_clause(card.get('candidates', []))}. On its {metrics['test_tunes']} test tunes it needs "
        f"{metrics['test_nats_per_tune']:.1f} nats per tune ({metrics['test_loss']:.3f} nats per symbol)."
    )
    if samples.get("abc2midi_ok") is not None:
        text += (
            f" Of {samples['tunes']} free samples at T = 1, abc2midi accepts {samples['abc2midi_ok']:.0%}, with "
            f"{samples['abc2midi_bar_warnings']:.2f} bar-length warnings per tune."
        )
    in_form = card["samples"].get(setting_name("shipped", True, CARD_FORM), {})
    if in_form.get("dance_form") is not None:
        text += (
            f" Sampled in the form {CARD_FORM}, {in_form['dance_form']:.0%} of {in_form['tunes']} tunes have two "
            "8-bar parts, each played twice"
            + (
                f", and abc2midi accepts {in_form['abc2midi_ok']:.0%}."
                if in_form.get("abc2midi_ok") is not None
                else "."
            )
        )
    if "reference" in card:
        reference = card["reference"]
        text += (
            f" On the {reference['tunes']} test tunes from collections the older best model never saw, it needs "
            f"{reference['shipped_nats_per_tune']:.1f} nats per tune against that model's "
            f"{reference['reference_nats_per_tune']:.1f} ({abs(reference['reduction']):.0%} "
            f"{'lower' if reference['reduction'] >= 0 else 'higher'})."
        )
    return latex_escape(text)


def representation_section(summary: list[dict], found: list[dict], profile: Profile, card: dict | None = None) -> str:
    """The table, the two claims in words, and the shipped model when its card is there."""
    claims = [claim for claim in found if claim.get("kind") in PER_TUNE_FACTORS]
    sentences = claim_sentences(claims, profile)
    items = "\n".join(f"  \\item {latex_escape(sentence)}" for sentence in sentences)
    text = representation_table(summary)
    if items:
        text += f"\\begin{{itemize}}\n{items}\n\\end{{itemize}}\n"
    if card is not None:
        text += shipped_paragraph(card) + "\n"
    return text


def read_card(root: Path | None = None) -> dict | None:
    """The shipped model's card.json, or None while no model has been shipped with one."""
    path = shipped_model_dir(root, COMPOSER) / "card.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
