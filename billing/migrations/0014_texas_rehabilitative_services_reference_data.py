import datetime
from decimal import Decimal

from django.db import migrations

# Texas mental health rehabilitative services a peer provider may deliver, billed under the
# Texas Medicaid state plan (billing-rules.md, "Texas mental health rehabilitative services").
# The HCBS-AMH and YES waivers are separate programs whose service arrays we have no codes
# for, so they get none.
#
# Day program for acute needs (26 TAC 306.321: a unit of 45-60 continuous minutes, adults) has
# no code in any source we have, so no row is made: notes can't record it until an agency
# enters the code in the admin (service "Day program for acute needs"), and nothing bills it.

STATE_PLAN = "tx_state_plan"
EFFECTIVE_FROM = datetime.date(2024, 1, 1)

CAP_NAME = "Texas rehabilitative services"
CAP_SOURCE = (
    "All rehabilitative services together at most 8 hours a day, except crisis services "
    "(TMPPM Behavioral Health handbook, 2016 archive, as gathered in billing-rules.md). Crisis "
    "intervention (H2011) is not in this cap."
)

COMMON_SOURCE = (
    "Units of 15 continuous minutes, no partial units: TMPPM Behavioral Health handbook (2016 archive) "
    "15.043-15.046; TMHP notice 2022-01-20 lists the codes. No peer certification needed: a Texas guide for "
    "peer specialists says they \"do not need to be certified to provide mental health rehabilitation "
    "services\"; a peer provider has a high school diploma, a year of receiving mental health services and "
    "shown competency (1 TAC 353.1415) and is supervised by an LPHA. Demo values (no source found): the "
    "modifier HE (TMPPM 15.039 requires modifiers by service and provider; the list was not in hand), the "
    "rates, no prior authorization (as for H0038 under the same plan), no age limit."
)

# service, kind, HCPCS, modifiers, description, daily units cap, in the 8-hour cap, demo rate,
# what the source says of this code in particular
CODES = [
    ("medication_training", "individual", "H0034", "HE", "Medication training and support, individual", None, True,
     "24.30", "H0034, individual or group (billing-rules.md)."),
    ("medication_training", "group", "H0034", "HE,HQ", "Medication training and support, group", None, True,
     "5.40", "H0034, individual or group (billing-rules.md). Demo value: groups of at most 12, as for H0038."),
    ("psychosocial_rehabilitation", "individual", "H2017", "HE", "Psychosocial rehabilitation, individual", None,
     True, "26.10", "H2017, delivered by a member of the therapeutic team (26 TAC 306.317)."),
    ("skills_training", "individual", "H2014", "HE", "Skills training and development, individual", 16, True,
     "25.20", "H2014, at most 16 units (4 hours) a calendar day (TMPPM 2016 archive 15.043)."),
    ("crisis_intervention", "individual", "H2011", "HE", "Crisis intervention, individual", None, False,
     "37.90", "H2011, exempt from the 8-hour daily cap of rehabilitative services (billing-rules.md)."),
]  # fmt: skip


def add_rehabilitative_services(apps, schema_editor):
    CombinedDailyCap = apps.get_model("billing", "CombinedDailyCap")
    ServiceCode = apps.get_model("billing", "ServiceCode")
    Rate = apps.get_model("billing", "Rate")
    cap, _ = CombinedDailyCap.objects.get_or_create(
        billing_program=STATE_PLAN, name=CAP_NAME, defaults={"daily_minutes": 8 * 60, "source": CAP_SOURCE}
    )
    for service, kind, hcpcs, modifiers, description, daily, capped, rate, own_source in CODES:
        code, created = ServiceCode.objects.get_or_create(
            billing_program=STATE_PLAN,
            service=service,
            kind=kind,
            is_active=True,
            defaults={
                "description": f"{description}, per 15 minutes",
                "hcpcs": hcpcs,
                "modifiers": modifiers,
                "unit_minutes": 15,
                "rounding": "whole_units",
                "daily_unit_cap": daily,
                "combined_daily_cap": cap if capped else None,
                "max_group_size": 12,
                "requires_authorization": False,
                "requires_certified_peer": False,
                "certification_types": [],
                "source": f"{own_source} {COMMON_SOURCE}",
            },
        )
        if created:
            Rate.objects.create(service_code=code, rate_per_unit=Decimal(rate), effective_from=EFFECTIVE_FROM)


def remove_rehabilitative_services(apps, schema_editor):
    # Only while nothing was billed with them: claim lines protect their codes.
    ServiceCode = apps.get_model("billing", "ServiceCode")
    codes = ServiceCode.objects.filter(billing_program=STATE_PLAN, service__in={c[0] for c in CODES})
    apps.get_model("billing", "Rate").objects.filter(service_code__in=codes).delete()
    codes.delete()
    apps.get_model("billing", "CombinedDailyCap").objects.filter(billing_program=STATE_PLAN, name=CAP_NAME).delete()


def grant_program_admins(apps, schema_editor):
    """Program admins keep the combined caps in the Django admin, as the other reference data
    (0002): add, change, view."""
    from django.contrib.auth.management import create_permissions

    billing = apps.get_app_config("billing")
    billing.models_module = True
    create_permissions(billing, apps=apps, verbosity=0)
    billing.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Program admin")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="billing",
            content_type__model="combineddailycap",
            codename__regex=r"^(add|change|view)_",
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0013_codes_per_service_and_a_combined_daily_cap"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(add_rehabilitative_services, remove_rehabilitative_services),
        migrations.RunPython(grant_program_admins, migrations.RunPython.noop),
    ]
