"""Figures: saved as PNG and PDF, the PDF byte for byte the same when the figure is."""

from collections import Counter

from helpers.report.plots import bar_counts, save_figure


def test_a_saved_figure_is_reproducible_to_the_byte(tmp_path):
    for folder in ("a", "b"):
        save_figure(bar_counts(Counter("abcabcaab"), "letters"), tmp_path / folder, "letters")
    first, second = ((tmp_path / folder / "letters.pdf").read_bytes() for folder in ("a", "b"))
    assert first.startswith(b"%PDF") and first == second
    assert (tmp_path / "a" / "letters.png").stat().st_size > 0
