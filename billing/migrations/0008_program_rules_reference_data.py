import datetime
from decimal import Decimal

from django.db import migrations

# Each billing program's own rules, with their sources (gathered in the shared billing-rules.md).
# Where no source is known the conservative reading is taken and said so; values with no
# source at all are marked demo, for the program admin to correct in the admin.

STATE_PLAN = "tx_state_plan"
STATE_PLAN_SOURCE = (
    "H0038 per 15 minutes for clients 21 and over, 104 units per rolling 6 months (183 days), groups of at most "
    "12: Texas Children's Health Plan provider alert, 2020-11-06 (adult = 21 and over: 1 TAC 354.3003). "
    "Delivered by a certified peer specialist with a Mental Health or Recovery Support endorsement: "
    "1 TAC 354.3155, 354.3203. Whole 15-minute units, no partial units: TMPPM Behavioral Health handbook "
    "(2016 archive) 15.043-15.046. Demo values (no source found): the modifier HE, the daily cap of 16 units, "
    "the rates."
)
# kind, modifiers, demo rate
STATE_PLAN_CODES = [("individual", "HE", "24.36"), ("group", "HE,HQ", "5.00")]

RULES = {
    "tx_1915i_amh": {
        "minimum_age": 18,
        "maximum_age": None,
        "requires_authorization": True,
        "certification_types": ["tx_mhps"],
        "source": (
            "Adults 18 and over: HHS HCBS-AMH FAQ and provider pages. Authorization required: HHSC approves the "
            "Individual Recovery Plan and authorizes services in CMBHS. Certification: no source found; "
            "conservative reading: a Texas Mental Health Peer Specialist (1 TAC 354.3203 limits each "
            "endorsement's services). Demo values (the code, modifiers, unit limits and rates are unknown): "
            "H0038 HE, 16 units a day, 104 units per 183 days, the rates."
        ),
    },
    "tx_yes": {
        "minimum_age": 3,
        "maximum_age": 18,
        "requires_authorization": True,
        "certification_types": ["cfp"],
        "source": (
            "Ages 3 through 18, up to the month before the 19th birthday: DSHS YES resources for families "
            "(taken as under 19 on the date of service). Services are authorized (same source). Family supports "
            "are delivered by a Certified Family Partner. Demo values (codes, units and rates are unknown): "
            "H0038 HA, the caps, the rates."
        ),
    },
    "ct_1915c_mhw": {
        "minimum_age": 22,
        "maximum_age": None,
        "requires_authorization": True,
        "certification_types": ["ct_rss"],
        "source": (
            "Adults 22 and over with serious mental illness: CT Mental Health Waiver (1915(c), formerly WISE). "
            "Peer Support by a Recovery Support Specialist (RSS) certified through Advocacy Unlimited. "
            "Authorization: unknown; conservative reading: required. Demo values (codes, units, telehealth "
            "rules and rates are unknown): H0038 HE, 24 units a day, the rates."
        ),
    },
}


def apply_rules(apps, schema_editor):
    ServiceCode = apps.get_model("billing", "ServiceCode")
    Rate = apps.get_model("billing", "Rate")
    for kind, modifiers, rate in STATE_PLAN_CODES:
        code, created = ServiceCode.objects.get_or_create(
            billing_program=STATE_PLAN,
            kind=kind,
            is_active=True,
            defaults={
                "service": "peer_support",
                "description": f"Peer specialist services, {kind}, per 15 minutes",
                "hcpcs": "H0038",
                "modifiers": modifiers,
                "rounding": "whole_units",
                "daily_unit_cap": 16,
                "rolling_cap_units": 104,
                "rolling_cap_days": 183,
                "minimum_age": 21,
                "max_group_size": 12,
                "requires_authorization": False,
                "requires_certified_peer": True,
                "certification_types": ["tx_mhps", "tx_rsps"],
                "source": STATE_PLAN_SOURCE,
            },
        )
        if created:
            Rate.objects.create(service_code=code, rate_per_unit=Decimal(rate), effective_from=datetime.date(2024, 1, 1))
    for program, rules in RULES.items():
        ServiceCode.objects.filter(billing_program=program, is_active=True).update(**rules)


class Migration(migrations.Migration):
    dependencies = [("billing", "0007_program_rules_per_code")]

    operations = [migrations.RunPython(apply_rules, migrations.RunPython.noop)]
