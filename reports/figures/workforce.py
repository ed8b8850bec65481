"""Workforce: the program's peer specialists' certifications, training and supervision.

The staff are the active peer specialists on the program's staff (census.program_specialists).
Certification status is programs' rule (certification_warnings / certification_status, with
EXPIRING_WITHIN_DAYS), asked as of the period's last day.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, Sum

from programs.models import EXPIRING_WITHIN_DAYS, CertificationStatus, SupervisionSession, TrainingRecord
from programs.selectors import certification_warnings

from .census import specialist_profiles

title = "Workforce"

HOUR = Decimal("0.01")


def _hours(value) -> str:
    return str(Decimal(value or 0).quantize(HOUR))


def section(program, start, end) -> dict:
    profiles = specialist_profiles(program)
    people = list(profiles.select_related("user").order_by("user__last_name", "user__first_name", "pk"))
    statuses = dict(CertificationStatus.choices) | {CertificationStatus.NONE: "No certification"}
    warnings = certification_warnings(profiles, today=end)
    warning_rows = [
        [str(profile.user), statuses[status], expiry.isoformat() if expiry else None]
        for profile, status, expiry in sorted(warnings, key=lambda w: (w[2] or datetime.date.min, str(w[0].user)))
    ]
    expiring = sum(1 for _, status, _ in warnings if status == CertificationStatus.EXPIRING)
    lapsed = len(warnings) - expiring

    # Year to date at the period's end: a report of a past month does not count later training.
    year_start = end.replace(month=1, day=1)
    required = program.agency.training_hours_required_per_year
    trained = dict(
        TrainingRecord.objects.filter(profile__in=profiles, completed_on__gte=year_start, completed_on__lte=end)
        .order_by()
        .values("profile_id")
        .annotate(hours=Sum("hours"))
        .values_list("profile_id", "hours")
    )
    training_rows = []
    for profile in people:
        hours = trained.get(profile.pk) or Decimal(0)
        training_rows.append([str(profile.user), _hours(hours), _hours(required), _hours(max(required - hours, 0))])
    met = sum(1 for profile in people if (trained.get(profile.pk) or 0) >= required)

    supervision = {
        row["supervisee_id"]: row
        for row in SupervisionSession.objects.filter(supervisee__in=profiles, date__gte=start, date__lte=end)
        .order_by()
        .values("supervisee_id")
        .annotate(sessions=Count("pk"), minutes=Sum("minutes"))
    }
    supervision_rows = []
    for profile in people:
        row = supervision.get(profile.pk, {"sessions": 0, "minutes": 0})
        supervision_rows.append([str(profile.user), row["sessions"], _hours(Decimal(row["minutes"]) / 60)])
    total_minutes = sum(row["minutes"] for row in supervision.values())
    return {
        "title": title,
        "numbers": [
            {"label": "Peer specialists", "value": len(people), "unit": ""},
            {"label": f"Certifications expiring within {EXPIRING_WITHIN_DAYS} days", "value": expiring, "unit": ""},
            {"label": "Certifications expired or missing", "value": lapsed, "unit": ""},
            {"label": f"Met the {end.year} training requirement", "value": met, "unit": ""},
            {"label": "Supervision hours", "value": _hours(Decimal(total_minutes) / 60), "unit": "h"},
        ],
        "tables": [
            {
                "title": f"Certifications needing action on {end.isoformat()}",
                "columns": ["Specialist", "Status", "Latest expiry"],
                "kinds": ["text", "text", "date"],
                "rows": warning_rows,
            },
            {
                "title": f"Training hours in {end.year} to {end.isoformat()}",
                "columns": ["Specialist", "Hours", "Required per year", "Still to do"],
                "kinds": ["text", "decimal", "decimal", "decimal"],
                "rows": training_rows,
            },
            {
                "title": "Supervision per supervisee",
                "columns": ["Supervisee", "Sessions", "Hours"],
                "kinds": ["text", "int", "decimal"],
                "rows": supervision_rows,
                "total": ["Total", sum(r[1] for r in supervision_rows), _hours(Decimal(total_minutes) / 60)],
            },
        ],
        "charts": [],
        "notes": [
            "Staff: the program's active peer specialists.",
            f"Certification status on the period's last day: expiring when the latest certification ends within "
            f"{EXPIRING_WITHIN_DAYS} days of it; expired or missing when none is in force.",
            "Training: hours completed from January 1 to the period's last day (every kind of training, as the "
            "workforce page counts it), against the agency's yearly requirement.",
            "Supervision: sessions dated in the period, each supervisee's minutes in hours.",
        ],
    }
