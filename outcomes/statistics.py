"""Paired before/after statistics for the outcome dashboard. Pure functions: lists of pairs
in, a `Change` out. No database, no Django, so they can be checked against hand-worked
values (outcomes/tests/test_statistics.py).

Methods (written on the page and in the downloads, from `METHODS`):
- Proportions (housed, employed): McNemar's exact test, that is a two-sided binomial test of
  the discordant pairs b (yes -> no) and c (no -> yes) against p = 0.5; the change in the
  proportion is (c - b) / n with a Wald 95% interval for a paired difference of proportions,
  (c - b)/n ± 1.96·sqrt(b + c - (b - c)²/n)/n.
- Scores, income and counts: the Wilcoxon signed-rank test (zero_method="wilcox": pairs that
  did not change are dropped before ranking; scipy uses the exact distribution for small n
  without ties), and a t-based 95% interval for the mean paired difference,
  mean ± t(0.975, n-1)·sd/sqrt(n).
"""

import math
from dataclasses import dataclass

Z_95 = 1.96

TOO_FEW = "too few to test"
NO_CHANGE = "no change"

METHODS = {
    "mcnemar": "McNemar's exact test (binomial test of the discordant pairs, p = 0.5); "
    "95% CI: Wald interval for a paired difference of proportions.",
    "wilcoxon": 'Wilcoxon signed-rank test (zero_method="wilcox": unchanged pairs dropped); '
    "95% CI: t-based interval for the mean paired difference.",
}


@dataclass(frozen=True)
class Change:
    """One row of the table: `before` and `after` are the shares (0-1) or the means,
    `change` is after - before, `ci` its 95% interval, `p_value` the paired test's. When no
    test is possible, `p_value` is None and `verdict` says why."""

    method: str
    n: int
    before: float | None
    after: float | None
    change: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    verdict: str = ""
    # McNemar's discordant pairs: b went from yes to no, c from no to yes.
    b: int | None = None
    c: int | None = None

    @property
    def test_name(self) -> str:
        return "McNemar (exact)" if self.method == "mcnemar" else "Wilcoxon signed-rank"

    @property
    def has_ci(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def paired_proportions(pairs: list[tuple[bool, bool]]) -> Change:
    """Yes/no at A and at B for each participant."""
    n = len(pairs)
    if n == 0:
        return Change("mcnemar", 0, None, None, None, verdict=TOO_FEW)
    before = sum(1 for a, _ in pairs if a) / n
    after = sum(1 for _, b in pairs if b) / n
    b = sum(1 for x, y in pairs if x and not y)
    c = sum(1 for x, y in pairs if y and not x)
    change = (c - b) / n
    if n < 2:
        return Change("mcnemar", n, before, after, change, verdict=TOO_FEW, b=b, c=c)
    if b + c == 0:
        return Change("mcnemar", n, before, after, change, ci_low=0.0, ci_high=0.0, verdict=NO_CHANGE, b=b, c=c)
    half = Z_95 * math.sqrt(b + c - (b - c) ** 2 / n) / n
    p_value = float(_stats().binomtest(b, b + c, 0.5).pvalue)
    return Change("mcnemar", n, before, after, change, change - half, change + half, p_value, b=b, c=c)


def paired_values(pairs: list[tuple[float, float]]) -> Change:
    """A number at A and at B for each participant (a score, an income, a rate)."""
    n = len(pairs)
    if n == 0:
        return Change("wilcoxon", 0, None, None, None, verdict=TOO_FEW)
    before = _mean([float(a) for a, _ in pairs])
    after = _mean([float(b) for _, b in pairs])
    differences = [float(b) - float(a) for a, b in pairs]
    change = _mean(differences)
    if n < 2:
        return Change("wilcoxon", n, before, after, change, verdict=TOO_FEW)
    if all(d == 0 for d in differences):
        return Change("wilcoxon", n, before, after, change, ci_low=0.0, ci_high=0.0, verdict=NO_CHANGE)
    sd = math.sqrt(sum((d - change) ** 2 for d in differences) / (n - 1))
    half = float(_stats().t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    p_value = float(_stats().wilcoxon(differences, zero_method="wilcox").pvalue)
    return Change("wilcoxon", n, before, after, change, change - half, change + half, p_value)


def _stats():
    """scipy.stats, imported when a test is first computed: the import takes 0.7 s, and every
    process that loads the URL conf (this module is imported by the dashboard's views) paid it,
    the first billability assessment of a worker among them, for a page few processes serve."""
    from scipy import stats

    return stats
