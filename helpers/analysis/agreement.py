"""How far the reader's bar check agrees with abc2midi's warnings about bar lengths, tune by tune."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from helpers.abc.music import read_music
from helpers.abc.reader import header_fields
from helpers.analysis.checks import check_bars, parse_abc2midi
from helpers.files import write_csv

__all__ = ["BarAgreement", "bar_agreement", "write_bar_agreement"]


@dataclass(frozen=True)
class BarVerdicts:
    """One tune's bar lengths judged twice: by the reader's bar check and by abc2midi."""

    tune: int  # its position in the list of tunes
    title: str
    bars_checked: int
    bars_wrong: int
    abc2midi_warnings: int | None  # None: abc2midi not installed, or stopped by its time limit
    first_warning: str

    @property
    def reader_problem(self) -> bool:
        """The reader's bar check finds at least one bar that does not fit the meter."""
        return self.bars_wrong > 0

    @property
    def abc2midi_problem(self) -> bool | None:
        """abc2midi warns about at least one bar's length; None where it did not run."""
        return None if self.abc2midi_warnings is None else self.abc2midi_warnings > 0

    def row(self) -> dict:
        """The verdicts as one flat row of a table."""
        return asdict(self) | {"reader_problem": self.reader_problem, "abc2midi_problem": self.abc2midi_problem}


@dataclass(frozen=True)
class BarAgreement:
    """The verdicts of every tune, and the 2x2 table of the reader against abc2midi."""

    tunes: list[BarVerdicts]

    def count(self, reader_problem: bool, abc2midi_problem: bool) -> int:
        """Tunes where the reader says reader_problem and abc2midi says abc2midi_problem."""
        return sum(
            tune.reader_problem == reader_problem and tune.abc2midi_problem == abc2midi_problem for tune in self.tunes
        )

    @property
    def compared(self) -> int:
        """Tunes that both judged (abc2midi ran to the end)."""
        return sum(tune.abc2midi_problem is not None for tune in self.tunes)

    @property
    def agreement(self) -> float | None:
        """Share of the compared tunes on which both give the same verdict; None when none was compared."""
        same = self.count(True, True) + self.count(False, False)
        return same / self.compared if self.compared else None

    def text_table(self) -> str:
        """The 2x2 table as plain text, for a notebook."""
        width = max(len(str(self.compared)), 3)
        lines = [
            f"{'':24}{'abc2midi warns':>16}{'no warning':>12}",
            f"{'reader: bar problem':24}{self.count(True, True):>16}{self.count(True, False):>12}",
            f"{'reader: no problem':24}{self.count(False, True):>16}{self.count(False, False):>12}",
            f"{self.compared:>{width}} tunes compared, {len(self.tunes) - self.compared} not (abc2midi did not run)",
        ]
        if self.agreement is not None:
            lines.append(f"same verdict on {self.agreement:.0%} of them")
        return "\n".join(lines)


def bar_agreement(abcs: Sequence[str]) -> BarAgreement:
    """Run the reader's bar check and abc2midi on every tune (ABC without <start>/<end>) and compare verdicts."""
    verdicts = []
    for index, abc in enumerate(abcs):
        bars = check_bars(read_music(abc))
        abc2midi = parse_abc2midi(abc)
        ran = abc2midi.ok is not None
        verdicts.append(
            BarVerdicts(
                tune=index,
                title=header_fields(abc).get("T", ""),
                bars_checked=bars.checked,
                bars_wrong=bars.checked - bars.matching,
                abc2midi_warnings=len(abc2midi.bar_warnings) if ran else None,
                first_warning=abc2midi.bar_warnings[0] if abc2midi.bar_warnings else "",
            )
        )
    return BarAgreement(verdicts)


def write_bar_agreement(agreement: BarAgreement, folder: Path, name: str = "bar_agreement") -> Path:
    """The per-tune verdicts as name.csv under folder."""
    if not agreement.tunes:
        raise ValueError("the agreement holds no tunes: compare some tunes first")
    path = Path(folder) / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv([tune.row() for tune in agreement.tunes], path)
    return path
