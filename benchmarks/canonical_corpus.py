"""How many tunes of each packaged collection become canonical ABC (helpers.abc.canonical), and why the others drop.

Each collection is loaded and cleaned as notebook 01 does (duplicates included: every tune is tried), rewritten
with helpers.corpus.canonical.canonical_tunes, and printed as tunes read, tunes canonical, their share, the seconds
it took, then one line per reason of dropping.
Usage: .venv/bin/python benchmarks/canonical_corpus.py [collection ...]   (default: every packaged collection)
"""

from __future__ import annotations

import argparse
import time

from helpers.corpus.canonical import canonical_tunes
from helpers.corpus.clean import CleaningReport, clean_lines, to_ascii
from helpers.corpus.load import FOLK_COLLECTIONS, CorpusError, Tune, load_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("collections", nargs="*", default=list(FOLK_COLLECTIONS), help="collection names")
    names = parser.parse_args().collections
    total_in = total_out = 0
    for name in names:
        cleaning = CleaningReport()
        tunes = [Tune(tune.source, clean_lines(to_ascii(tune.text, cleaning), cleaning)) for tune in load_corpus(name)]
        started = time.perf_counter()
        try:
            kept, report = canonical_tunes(tunes)
        except CorpusError as error:
            print(f"{name}: {error}")
            total_in += len(tunes)
            continue
        seconds = time.perf_counter() - started
        total_in, total_out = total_in + report.tunes_in, total_out + report.tunes_out
        share = report.tunes_out / report.tunes_in
        print(f"{name}: {report.tunes_out} of {report.tunes_in} tunes canonical ({share:.0%}), {seconds:.1f} s")
        for reason, count in report.dropped.most_common():
            print(f"  dropped {count:5d}: {reason}")
    print(f"all: {total_out} of {total_in} tunes canonical ({total_out / max(total_in, 1):.0%})")


if __name__ == "__main__":
    main()
