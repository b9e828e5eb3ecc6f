"""Memory of constrained sampling: the table of grammar states that Sampler.sample(constrained=True) keeps.

Samples --tunes tunes with the grammar's mask (valid ABC only) from the shipped baseline model, in calls of --batch
tunes on one sampler (which keeps its table between calls), and prints after each call the tunes written, the
grammar states the table holds and the process's memory (resident now, and its peak). The table is bounded
(helpers.rnn.constrain.MAX_STATES), so the peak should stop growing with the tunes written.
Usage: .venv/bin/python benchmarks/constrained_memory.py [--tunes 2000] [--batch 500] [--max-length 1000]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from helpers.rnn.runs import shipped_model_dir
from helpers.rnn.sample import Sampler


def memory_mb() -> tuple[float, float]:
    """The process's resident memory now and its peak, in MB (Linux: /proc/self/status)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tunes", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--max-length", type=int, default=1000)
    args = parser.parse_args()

    sampler = Sampler.from_run(shipped_model_dir())
    now, peak = memory_mb()
    print(f"model {shipped_model_dir()}; loaded: {now:.0f} MB resident, peak {peak:.0f} MB")
    print(f"{'tunes':>6s} {'finished':>9s} {'states':>9s} {'resident MB':>12s} {'peak MB':>9s} {'seconds':>8s}")
    written = finished = 0
    started = time.perf_counter()
    for seed in range(0, args.tunes, args.batch):
        batch = min(args.batch, args.tunes - seed)
        tunes = sampler.sample(n=batch, seed=seed, max_length=args.max_length, constrained=True)
        written += batch
        finished += sum(tune.finished for tune in tunes)
        now, peak = memory_mb()
        states = len(sampler.grammar.states)
        seconds = time.perf_counter() - started
        print(f"{written:6d} {finished:9d} {states:9d} {now:12.0f} {peak:9.0f} {seconds:8.0f}", flush=True)


if __name__ == "__main__":
    main()
