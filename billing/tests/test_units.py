from decimal import Decimal

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


@pytest.mark.django_db
def test_reference_data_is_seeded_by_migrations():
    from billing.models import ServiceCode
    from programs.models import Payer

    payers = {name: (filing, correction) for name, filing, correction in
              Payer.objects.values_list("name", "timely_filing_days", "correction_days")}  # fmt: skip
    # Texas: 120 days for corrections (1 TAC 354.1003); Connecticut unknown, so its filing limit.
    assert (payers["Texas Medicaid"], payers["Connecticut Medicaid"]) == ((95, 120), (365, 365))
    codes = ServiceCode.objects.filter(is_active=True, hcpcs="H0038")
    programs = ("tx_state_plan", "tx_1915i_amh", "tx_yes", "ct_1915c_mhw")
    assert {(c.billing_program, c.kind) for c in codes} == {
        (program, kind) for program in programs for kind in ("individual", "group")
    }
    rates = {(c.billing_program, c.kind): c.rates.get().rate_per_unit for c in codes}
    assert all(Decimal("6.50") <= rates[(p, "individual")] <= Decimal("24.36") for p, _ in rates)
    assert all(Decimal("2.00") <= rates[(p, "group")] <= Decimal("5.00") for p, _ in rates)
    assert all(c.source and c.service == "peer_support" for c in codes)


@pytest.mark.django_db
def test_each_billing_program_has_its_own_rules_with_their_source():
    def rules(program):
        peer_support = ServiceCode.objects.filter(service="peer_support", is_active=True)
        code = peer_support.get(billing_program=program, kind="individual")
        group = peer_support.get(billing_program=program, kind="group")
        assert (group.minimum_age, group.maximum_age, group.certification_types) == (
            code.minimum_age, code.maximum_age, code.certification_types,
        )  # fmt: skip
        return code

    plan = rules("tx_state_plan")
    assert (plan.hcpcs, plan.minimum_age, plan.maximum_age, plan.rolling_cap_units, plan.rolling_cap_days) == (
        "H0038", 21, None, 104, 183,
    )  # fmt: skip
    assert (plan.max_group_size, plan.requires_authorization, plan.certification_types) == (
        12, False, ["tx_mhps", "tx_rsps"],
    )  # fmt: skip
    assert "provider alert, 2020-11-06" in plan.source and "1 TAC 354.3155" in plan.source
    amh = rules("tx_1915i_amh")
    assert (amh.minimum_age, amh.requires_authorization) == (18, True)
    assert "HHSC" in amh.source and "Demo values" in amh.source
    yes = rules("tx_yes")
    assert (yes.minimum_age, yes.maximum_age, yes.certification_types) == (3, 18, ["cfp"])
    ct = rules("ct_1915c_mhw")
    assert (ct.minimum_age, ct.certification_types, ct.requires_authorization) == (22, ["ct_rss"], True)
    assert "conservative reading" in ct.source
