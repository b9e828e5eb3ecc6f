"""Answers to the exercise of 05_experiments as students write them (see variants_scratch.py)."""

CORRECT = {
    "q17": [
        # the formulas, with NumPy
        """
def welch_test(first, second):
    from scipy import stats

    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    t = (b.mean() - a.mean()) / np.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    return t, df, 2 * stats.t.sf(abs(t), df)
""",
        # plain Python sums, and the p-value from the CDF
        """
def welch_test(first, second):
    from scipy import stats

    n, m = len(first), len(second)
    mean_a, mean_b = sum(first) / n, sum(second) / m
    sa = sum((x - mean_a) ** 2 for x in first) / (n - 1) / n
    sb = sum((x - mean_b) ** 2 for x in second) / (m - 1) / m
    t = (mean_b - mean_a) / math.sqrt(sa + sb)
    df = (sa + sb) ** 2 / (sa * sa / (n - 1) + sb * sb / (m - 1))
    p = 2 * (1 - stats.t.cdf(abs(t), df))
    return float(t), float(df), float(p)
""",
        # SciPy's own test, as the check does
        """
def welch_test(first, second):
    from scipy import stats

    result = stats.ttest_ind(second, first, equal_var=False)
    return result.statistic, result.df, result.pvalue
""",
    ],
}

MISTAKES = {
    "q17": [
        # first - second
        (CORRECT["q17"][0].replace("(b.mean() - a.mean())", "(a.mean() - b.mean())"), "wrong sign"),
        # variances divided by n
        (CORRECT["q17"][0].replace("ddof=1", "ddof=0"), "ddof=0"),
        # Student's pooled degrees of freedom
        (
            CORRECT["q17"][0].replace(
                "df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))", "df = len(a) + len(b) - 2"
            ),
            "Welch-Satterthwaite",
        ),
        # a one-sided p-value
        (CORRECT["q17"][0].replace("2 * stats.t.sf(abs(t), df)", "stats.t.sf(abs(t), df)"), "one-sided"),
        # t without the square root
        (CORRECT["q17"][0].replace("np.sqrt(va + vb)", "(va + vb)"), "t: at index"),
    ],
}
