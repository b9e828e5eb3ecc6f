"""Welch's t-test, Holm's correction and the verdict they give."""

import math

import pytest

from helpers.analysis.significance import holm_adjust, verdict, welch_test


def test_holm_matches_hand_computed_values():
    # sorted: 0.01 x 4 = 0.04, 0.02 x 3 = 0.06, 0.03 x 2 = 0.06 (never below the one before), 0.04 x 1 = 0.04 -> 0.06
    assert holm_adjust([0.04, 0.01, 0.03, 0.02]) == pytest.approx([0.06, 0.04, 0.06, 0.06])
    assert holm_adjust([0.5, 0.001]) == pytest.approx([0.5, 0.002])
    assert holm_adjust([0.9, 0.8]) == pytest.approx([1.0, 1.0])  # 0.8 x 2 is capped at 1, and 0.9 follows
    assert holm_adjust([0.6, 0.7, 0.1]) == pytest.approx([1.0, 1.0, 0.3])


def test_holm_leaves_untested_claims_out_of_the_count():
    adjusted = holm_adjust([0.01, math.nan, 0.02])
    assert adjusted[0] == pytest.approx(0.02) and adjusted[2] == pytest.approx(0.02) and math.isnan(adjusted[1])
    assert holm_adjust([]) == []


def test_welch_test_gives_difference_t_welch_satterthwaite_df_and_p():
    first, second = [1.50, 1.52, 1.51], [1.40, 1.41, 1.42]
    result = welch_test(first, second)
    assert result["difference"] == pytest.approx(-0.1)
    assert result["t"] == pytest.approx(-0.1 / math.sqrt(2 * 0.0001 / 3))
    assert result["df"] == pytest.approx(4.0)  # equal variances and sizes: n1 + n2 - 2
    unequal = welch_test([1.0, 1.1, 1.2], [2.0, 2.5, 3.0, 3.5, 4.0])
    v1, v2 = 0.01 / 3, 0.625 / 5
    assert unequal["df"] == pytest.approx((v1 + v2) ** 2 / (v1**2 / 2 + v2**2 / 4))
    assert 0 < result["p"] < 0.001
    assert math.isnan(welch_test([1.0], [1.1, 1.2])["p"])


def test_t_of_two_and_a_half_with_three_seeds_is_not_beyond_seed_noise():
    # The old rule called |t| > 2 beyond noise; with 3 seeds each (df 4) t = 2.5 has p of about 0.07.
    first = [0.0, 1.0, 2.0]
    second = [value + 2.5 * math.sqrt(2 / 3) for value in first]
    result = welch_test(first, second)
    assert result["t"] == pytest.approx(2.5)
    assert result["p"] > 0.05
    assert verdict(holm_adjust([result["p"]])[0], (3, 3)) == "3 seeds cannot decide"


def test_the_verdict_uses_the_adjusted_p():
    assert verdict(0.049, (3, 3)) == "beyond seed noise"
    assert verdict(0.051, (3, 5)) == "3 and 5 seeds cannot decide"
    assert verdict(math.nan, (1, 3)) == "too few seeds to tell"
    # p = 0.02 alone is beyond noise; as one of three such claims among four, Holm makes it 0.02 x 3 = 0.06
    assert verdict(holm_adjust([0.02, 0.02, 0.02, 0.001])[0], (3, 3)) == "3 seeds cannot decide"
