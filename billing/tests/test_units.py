import pytest

from billing.models import ServiceCode, units_for

MINUTES = [7, 8, 14, 15, 22, 23, 29, 30, 37, 38, 480]
WHOLE = [0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 32]
PARTIAL_8 = [0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 32]


@pytest.mark.parametrize(("minutes", "units"), list(zip(MINUTES, WHOLE, strict=True)))
def test_whole_units_only(minutes, units):
    assert units_for(minutes, 15, ServiceCode.Rounding.WHOLE_UNITS, 8) == units


@pytest.mark.parametrize(("minutes", "units"), list(zip(MINUTES, PARTIAL_8, strict=True)))
def test_a_final_partial_unit_counts_from_eight_minutes(minutes, units):
    assert units_for(minutes, 15, ServiceCode.Rounding.PARTIAL_FROM_N, 8) == units


def test_the_code_applies_its_own_rule():
    code = ServiceCode(unit_minutes=15, rounding=ServiceCode.Rounding.PARTIAL_FROM_N, partial_unit_minimum=10)
    assert [code.units_for(m) for m in (9, 10, 24, 25)] == [0, 1, 1, 2]
