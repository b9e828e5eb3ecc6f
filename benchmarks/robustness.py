"""How the package meets bad and random input: a clear message for each bad input, and no escape or hang on fuzz.

Figure 1: every input of a catalogue of bad (or odd but valid) inputs to the public entry points (corpus files
and specs, the by-tune split, prepared data and run files that are stale, cut short or broken, RunConfig fields,
Sampler.sample arguments, profile names, the renderers and the checkers), and whether it got a clear message:
a ValueError, TypeError or FileNotFoundError (CorpusError and DamagedFileError are ValueErrors) raised by the
package itself whose message names the value, field or file, or a message returned.
Figure 2: a seeded fuzz run of mutated real tunes (music21's folk collections) and random strings through the
quality checks, the notation and audio renderers and the structural labeller, each call in a worker process
under a wall-clock limit: exceptions that escape, hangs, crashed workers, and the mean time per call.
The catalogue of figure 1 is tests/bad_inputs.py, shared with tests/test_robustness.py.
Usage: .venv/bin/python benchmarks/robustness.py [--count 1000] [--seed 0] [--parsers-every 4] [--workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import random
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the catalogue, shared with the tests

from bad_inputs import HANDLED_WELL, PACKAGE_DIR, BadInput, Outcome, all_cases, mutate, outcome, random_character  # noqa: E402

# ------------------------------------------------------------------------------------------------ figure 1


def shorten(text: str, width: int) -> str:
    """One line of at most width characters."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 3] + "..."


def figure_bad_inputs() -> list[tuple[BadInput, Outcome]]:
    """Figure 1: print each bad input, its entry point and outcome, then the totals."""
    with tempfile.TemporaryDirectory() as folder:
        results = [(case, outcome(case)) for case in all_cases(Path(folder))]
    print("Figure 1. Bad inputs to the public entry points, and what each got")
    print(f"{'#':>3s}  {'input':32s} {'entry point':30s} {'outcome':18s} message")
    for number, (case, result) in enumerate(results, 1):
        print(f"{number:3d}  {case.name:32s} {case.entry:30s} {result.kind:18s} {shorten(result.detail, 90)}")
    kinds = Counter(result.kind for _, result in results)
    good = sum(result.kind in HANDLED_WELL for _, result in results)
    print(
        f"\n{len(results)} distinct bad inputs; {good} handled well ({kinds['clear message']} clear messages, "
        f"{kinds['read correctly']} odd but valid inputs read correctly); {kinds['unclear exception']} unclear "
        f"exceptions, {kinds['accepted']} accepted silently, {kinds['misread']} misread."
    )
    by_owner = defaultdict(list)
    for case, result in results:
        if result.kind not in HANDLED_WELL:
            by_owner[case.owner].append(f"{case.entry}({case.name}): {result.kind}")
    for owner, rows in by_owner.items():
        print(f"  not clear, {owner}: " + "; ".join(rows))
    return results


# ------------------------------------------------------------------------------------------------ figure 2

FUZZ_COLUMNS = ("calls", "exceptions", "hangs", "crashes", "mean ms", "max ms")
FUZZ_ENTRIES = ("check_tune (reader only)", "check_tune (+ parsers)", "engrave_svg", "synthesize", "label_structure")


def fuzz_inputs(count: int, seed: int) -> list[str]:
    """count texts: nine in ten are real tunes with one to six edits, one in ten random strings."""
    from helpers.corpus.load import load_collections

    tunes = [tune.text for tune in load_collections(["oneills1850", "miscFolk", "airdsAirs"])]
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        if rng.random() < 0.1:
            texts.append("".join(random_character(rng) for _ in range(rng.randint(0, 400))))
            continue
        text = rng.choice(tunes)
        for _ in range(rng.randint(1, 6)):
            text = mutate(text, rng)
        texts.append(text)
    return texts


def call_entry(entry: str, text: str) -> None:
    """One fuzz call of an entry point."""
    from helpers.abc.structure import label_structure
    from helpers.analysis.checks import check_tune
    from helpers.ui.render import engrave_svg, synthesize

    calls = {
        "check_tune (reader only)": lambda: check_tune(text, parsers=()),
        "check_tune (+ parsers)": lambda: check_tune(text),
        "engrave_svg": lambda: engrave_svg(text),
        "synthesize": lambda: synthesize(text),
        "label_structure": lambda: label_structure(text),
    }
    calls[entry]()


def describe(error: BaseException) -> str:
    """'TypeError: ... at helpers/x.py:12 (function)', the innermost frame of the error."""
    frames = traceback.extract_tb(error.__traceback__)
    where = ""
    if frames:
        frame = frames[-1]
        path = Path(frame.filename)
        shown = path.relative_to(PACKAGE_DIR.parent) if path.is_relative_to(PACKAGE_DIR.parent) else path.name
        where = f" at {shown}:{frame.lineno} ({frame.name})"
    return f"{type(error).__name__}: {shorten(str(error), 100)}{where}"


def fuzz_worker(connection) -> None:
    """Answer each (entry, text) job from the pipe with (seconds, error or None) until it sends None."""
    while (job := connection.recv()) is not None:
        entry, text = job
        started = time.perf_counter()
        try:
            call_entry(entry, text)
            error = None
        except BaseException as raised:  # noqa: BLE001 - every escape, timeouts of the checks included, is counted
            error = describe(raised)
        connection.send((time.perf_counter() - started, error))


class Lane:
    """One worker process that runs fuzz calls one at a time; a hung or crashed worker is replaced."""

    def __init__(self, context: multiprocessing.context.BaseContext) -> None:
        self.context = context
        self.start()

    def start(self) -> None:
        self.connection, child = self.context.Pipe()
        self.process = self.context.Process(target=fuzz_worker, args=(child,), daemon=True)
        self.process.start()

    def restart(self) -> int | None:
        """Stop the worker (if it still runs) and start a fresh one; the old one's exit code."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        code = self.process.exitcode
        self.start()
        return code

    def run(self, entry: str, text: str, limit_s: float) -> tuple[str, float, str | None]:
        """('ok' | 'exception' | 'hang' | 'crash', seconds, what went wrong) of one call."""
        started = time.perf_counter()
        try:
            self.connection.send((entry, text))
            if not self.connection.poll(limit_s):
                self.restart()
                return "hang", time.perf_counter() - started, f"no answer within {limit_s:g} s"
            seconds, error = self.connection.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            code = self.restart()
            return "crash", time.perf_counter() - started, f"worker process died (exit code {code})"
        return ("exception" if error else "ok"), seconds, error

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


@dataclass(frozen=True)
class FuzzCall:
    """One fuzz call's result."""

    entry: str
    index: int
    status: str
    seconds: float
    detail: str | None


def run_fuzz(texts: list[str], parsers_every: int, workers: int, limit_s: float) -> list[FuzzCall]:
    """Every text through every entry point (the parsers on every parsers_every-th), spread over the workers."""
    jobs = [
        (entry, index)
        for index in range(len(texts))
        for entry in FUZZ_ENTRIES
        if entry != "check_tune (+ parsers)" or index % parsers_every == 0
    ]
    context = multiprocessing.get_context("spawn")
    results: list[FuzzCall] = []
    lock = threading.Lock()

    def work(share: list[tuple[str, int]]) -> None:
        lane = Lane(context)
        try:
            for entry, index in share:
                call = FuzzCall(entry, index, *lane.run(entry, texts[index], limit_s))
                with lock:
                    results.append(call)
        finally:
            lane.close()

    threads = [threading.Thread(target=work, args=(jobs[start::workers],)) for start in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def figure_fuzz(count: int, seed: int, parsers_every: int, workers: int, limit_s: float) -> list[FuzzCall]:
    """Figure 2: print escapes, hangs and crashes per entry point and the mean time per call, then each escape."""
    texts = fuzz_inputs(count, seed)
    started = time.perf_counter()
    results = run_fuzz(texts, parsers_every, workers, limit_s)
    wall = time.perf_counter() - started
    print(
        f"\nFigure 2. Fuzz: {count} texts (seed {seed}; mutated tunes of oneills1850, miscFolk and airdsAirs, and "
        f"random strings), parsers on every {parsers_every}, {workers} workers, {limit_s:g} s limit per call"
    )
    print(f"{'entry point':26s} " + " ".join(f"{column:>10s}" for column in FUZZ_COLUMNS))
    for entry in FUZZ_ENTRIES:
        calls = [call for call in results if call.entry == entry]
        statuses = Counter(call.status for call in calls)
        timed = [call.seconds for call in calls if call.status in ("ok", "exception")] or [0.0]
        print(
            f"{entry:26s} {len(calls):10d} {statuses['exception']:10d} {statuses['hang']:10d} {statuses['crash']:10d} "
            f"{1000 * sum(timed) / len(timed):10.1f} {1000 * max(timed):10.1f}"
        )
    failures = Counter((call.entry, call.status, call.detail) for call in results if call.status != "ok")
    total = sum(failures.values())
    print(f"{len(results)} calls in {wall:.0f} s; {total} exceptions, hangs or crashes (target 0)")
    first_input = {}
    for call in sorted(results, key=lambda call: call.index):
        first_input.setdefault((call.entry, call.status, call.detail), call.index)
    for (entry, status, detail), times in failures.most_common():
        index = first_input[(entry, status, detail)]
        print(f"  {entry}: {status} x{times}: {detail}; e.g. input {index}: {shorten(repr(texts[index]), 100)}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="fuzz texts (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fuzz texts")
    parser.add_argument("--parsers-every", type=int, default=4, help="music21 and abc2midi on every n-th text")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for the fuzz run")
    parser.add_argument("--limit", type=float, default=30.0, help="seconds after which a call counts as hung")
    parser.add_argument("--only", choices=("bad-inputs", "fuzz"), help="one figure only")
    args = parser.parse_args()
    if args.only != "fuzz":
        figure_bad_inputs()
    if args.only != "bad-inputs":
        figure_fuzz(args.count, args.seed, args.parsers_every, args.workers, args.limit)


if __name__ == "__main__":
    main()
