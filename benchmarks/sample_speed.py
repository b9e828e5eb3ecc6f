"""Speed of the batched sampler against the usual tutorial loop that calls model.predict once per character.

Prints characters and complete tunes per second for the baseline model (the profile's trained baseline,
else the shipped one) at batch sizes 1, 64 and 256, then the constrained sampler at batch 256 (valid ABC only, and in
the form AABB) with its table of grammar states cold and warm, and in the form AABB with the whole mask computed at
every step (exact_mass=True: what the grammar is asked when the mass removed is measured exactly), then the
per-character predict loop and the ratios: constrained against free sampling (target 0.5, table cold, form on), and
batched against the predict loop.
Writes what it printed to results/benchmarks/sample_speed.csv (with the date and the machine), which docs/results.md
shows: no speed is typed into the docs by hand.
Usage: .venv/bin/python benchmarks/sample_speed.py [--profile full] [--predict-characters 100] [--out CSV]
"""

from __future__ import annotations

import argparse
import datetime
import time
from pathlib import Path

import numpy as np

import helpers as h
from helpers.config import project_root
from helpers.files import write_csv
from helpers.report.study_section import machine_words
from helpers.rnn.backend import machine_facts
from helpers.rnn.model import load_trained_model
from helpers.rnn.runs import available_models
from helpers.rnn.sample import DEFAULT_PRIME, Sampler

TARGET = 0.5  # constrained sampling's speed against free sampling's, at batch 256, table cold, form on


def batched(sampler: Sampler, batch: int, repeats: int, first_seed: int = 0, **options) -> tuple[float, float]:
    """Characters and finished tunes per second of Sampler.sample at temperature 1 (options: constrained, form,
    exact_mass)."""
    characters = tunes = 0
    started = time.perf_counter()
    for seed in range(first_seed, first_seed + repeats):
        drawn = sampler.sample(n=batch, temperature=1.0, seed=seed, max_length=2000, **options)
        for tune in drawn:
            characters += len(tune.text)
            tunes += tune.finished
    seconds = time.perf_counter() - started
    return characters / seconds, tunes / seconds


def predict_loop(sampler: Sampler, model, characters: int) -> float:
    """Characters per second of the tutorial loop: re-run the whole text through model.predict per character."""
    rng = np.random.default_rng(0)
    ids = list(sampler.vocab.encode(DEFAULT_PRIME))
    started = time.perf_counter()
    for _ in range(characters):
        outputs = model.predict(np.array([ids]), verbose=0)[0, -1].astype(np.float64)
        probabilities = outputs / outputs.sum()  # the softmax output, renormalised in float64
        ids.append(int(rng.choice(len(probabilities), p=probabilities)))
    return characters / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="full")
    parser.add_argument("--predict-characters", type=int, default=100)
    parser.add_argument("--out", type=Path, default=project_root() / "results" / "benchmarks" / "sample_speed.csv")
    args = parser.parse_args()

    profile = h.get_profile(args.profile)
    name, run_dir = next(iter(available_models(h.project_paths(profile).runs).items()))
    sampler = Sampler.from_run(run_dir)
    print(f"model {name} ({run_dir}), {len(sampler.layers)} x {sampler.layers[0].cell}-{sampler.layers[0].units}")
    print(f"{'method':34s} {'chars/s':>12s} {'tunes/s':>10s}")
    rates = {}
    for batch in (1, 64, 256):
        rates[batch] = batched(sampler, batch, repeats=max(1, 512 // batch) if batch > 1 else 5)
        print(f"{'batched sampler, batch ' + str(batch):34s} {rates[batch][0]:12,.0f} {rates[batch][1]:10,.1f}")
    # Valid ABC by construction: the grammar's table of states starts empty (cold) and is kept by the sampler;
    # warm: other seeds (other tunes), with the table the cold run left.
    constrained = {}
    for mode, options in (
        ("valid ABC only", {}),
        ("form AABB", {"form": "AABB"}),
        ("form AABB, whole mask", {"form": "AABB", "exact_mass": True}),
    ):
        sampler.grammar = None  # cold: a new table
        for label, first_seed in (("cold", 0), ("warm", 2)):
            speed = constrained[mode, label] = batched(sampler, 256, 2, first_seed, constrained=True, **options)
            print(f"{mode + ', 256, ' + label:34s} {speed[0]:12,.0f} {speed[1]:10,.1f}")
    for (mode, label), (speed, _) in constrained.items():
        print(f"{mode} ({label}) / free, batch 256: {speed / rates[256][0]:.3f} (target {TARGET} for the form, cold)")
    model = load_trained_model(run_dir)
    loop = predict_loop(sampler, model, args.predict_characters)
    print(f"{'model.predict per character':34s} {loop:12,.1f} {'':>10s}  ({args.predict_characters} characters)")
    print(f"batched (256) / predict loop, per character: {rates[256][0] / loop:,.0f} x")
    measured = {"model": name, "date": datetime.date.today().isoformat(), "machine": machine_words(machine_facts())}
    rows = [
        {"sampling": "free", "batch": batch, "table": "", "chars_per_s": speed, "tunes_per_s": tunes}
        for batch, (speed, tunes) in rates.items()
    ]
    rows += [
        {"sampling": mode, "batch": 256, "table": label, "chars_per_s": speed, "tunes_per_s": tunes}
        for (mode, label), (speed, tunes) in constrained.items()
    ]
    rows.append({"sampling": "model.predict per character", "batch": 1, "table": "", "chars_per_s": loop})
    free = rates[256][0]
    for row in rows:
        row |= {"share_of_free_256": round(row["chars_per_s"] / free, 4)} | measured
        row["chars_per_s"], row["tunes_per_s"] = round(row["chars_per_s"]), round(row.get("tunes_per_s", 0), 1)
    write_csv(rows, args.out)
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
