"""The dashboard's statistics against values worked by hand for a cohort of six people."""

import pytest

from outcomes.statistics import NO_CHANGE, TOO_FEW, paired_proportions, paired_values

# Housed (own or rent) at intake and at 6 months, six people:
#   P1 no -> yes, P2 no -> yes, P3 no -> yes, P4 yes -> yes, P5 no -> no, P6 yes -> no
# Housed at A: P4, P6 = 2/6 = 0.3333; at B: P1-P4 = 4/6 = 0.6667; change +0.3333.
# Discordant pairs: b (yes -> no) = 1 (P6), c (no -> yes) = 3 (P1-P3).
# Change = (c - b) / n = 2/6 = 0.333333.
# Wald 95% CI: b + c - (b - c)²/n = 4 - 4/6 = 3.333333; sqrt = 1.825742;
#   × 1.96 = 3.578454; / 6 = 0.596409 -> 0.333333 ± 0.596409 = (-0.263076, 0.929742).
# McNemar exact: binomial with 4 discordant pairs, 1 of them "worse", p = 0.5.
#   P(X <= 1) = (C(4,0) + C(4,1)) / 2^4 = 5/16; two-sided = 2 × 5/16 = 10/16 = 0.625.
HOUSED = [(False, True), (False, True), (False, True), (True, True), (False, False), (True, False)]

# PHQ-9 totals at intake and at 6 months, the same six people:
#   before 15 12 20  9 18 14   (mean 88/6 = 14.6667)
#   after  10 11 12 12  8  7   (mean 60/6 = 10.0)
#   d = after - before: -5 -1 -8 +3 -10 -7   (sum -28, mean -4.666667)
# Wilcoxon signed-rank, no zeros and no ties in |d|:
#   |d| sorted 1 3 5 7 8 10 -> ranks 1 2 3 4 5 6; the only positive difference (+3) has
#   rank 2, so W+ = 2 and W- = 21 - 2 = 19; the statistic is min = 2.
#   Exact p (n = 6, 2^6 = 64 equally likely sign assignments under H0): the assignments
#   with W+ <= 2 are {} (0), {1} (1), {2} (2): 3 of 64. Two-sided p = 2 × 3/64 = 6/64 = 0.09375.
# t-based 95% CI of the mean difference:
#   deviations from -4.6667: -0.3333 3.6667 -3.3333 7.6667 -5.3333 -2.3333
#   squares sum 0.1111 + 13.4444 + 11.1111 + 58.7778 + 28.4444 + 5.4444 = 117.3333
#   sd = sqrt(117.3333 / 5) = sqrt(23.46667) = 4.844241; se = 4.844241 / sqrt(6) = 1.977653
#   t(0.975, 5) = 2.570582; margin = 2.570582 × 1.977653 = 5.083719
#   CI = -4.666667 ± 5.083719 = (-9.750385, 0.417052)
PHQ9 = [(15, 10), (12, 11), (20, 12), (9, 12), (18, 8), (14, 7)]


def test_mcnemar_matches_the_hand_worked_cohort():
    change = paired_proportions(HOUSED)
    assert change.n == 6
    assert (change.b, change.c) == (1, 3)
    assert change.before == pytest.approx(2 / 6)
    assert change.after == pytest.approx(4 / 6)
    assert change.change == pytest.approx(0.333333, abs=1e-6)
    assert change.ci_low == pytest.approx(-0.263076, abs=1e-6)
    assert change.ci_high == pytest.approx(0.929742, abs=1e-6)
    assert change.p_value == pytest.approx(0.625)
    assert change.verdict == ""


def test_wilcoxon_matches_the_hand_worked_cohort():
    change = paired_values(PHQ9)
    assert change.n == 6
    assert change.before == pytest.approx(14.666667, abs=1e-6)
    assert change.after == pytest.approx(10.0)
    assert change.change == pytest.approx(-4.666667, abs=1e-6)
    assert change.ci_low == pytest.approx(-9.750385, abs=1e-6)
    assert change.ci_high == pytest.approx(0.417052, abs=1e-6)
    assert change.p_value == pytest.approx(6 / 64)
    assert change.test_name == "Wilcoxon signed-rank"


def test_unchanged_pairs_are_dropped_before_ranking():
    # d = 0 -1 -2: zero_method="wilcox" drops the 0; ranks 1 and 2 both negative, W+ = 0.
    # Exact p with n = 2: only the assignment {} has W+ <= 0: 1 of 4, two-sided 2/4 = 0.5.
    change = paired_values([(5, 5), (5, 4), (5, 3)])
    assert change.p_value == pytest.approx(0.5)
    assert change.n == 3


def test_no_discordant_pairs_is_no_change_not_a_test():
    change = paired_proportions([(True, True), (False, False), (True, True)])
    assert change.verdict == NO_CHANGE
    assert change.p_value is None
    assert change.change == 0


def test_all_differences_zero_is_no_change():
    change = paired_values([(3, 3), (7, 7)])
    assert change.verdict == NO_CHANGE
    assert change.p_value is None
    assert (change.ci_low, change.ci_high) == (0.0, 0.0)


@pytest.mark.parametrize("pairs", [[], [(1, 4)]])
def test_fewer_than_two_pairs_are_too_few_to_test(pairs):
    change = paired_values(pairs)
    assert change.verdict == TOO_FEW
    assert change.p_value is None
    assert change.ci_low is None


@pytest.mark.parametrize("pairs", [[], [(False, True)]])
def test_fewer_than_two_proportions_are_too_few_to_test(pairs):
    change = paired_proportions(pairs)
    assert change.verdict == TOO_FEW
    assert change.p_value is None
