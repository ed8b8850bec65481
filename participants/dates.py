"""Date rules of the participant records, beyond the plausible range every date has
(audit.inputs.plausible_date): what can't be in the future, and what follows what."""

import datetime

from django.utils import timezone


def not_future(value: datetime.date | None, field: str, what: str) -> dict:
    if value and value > timezone.localdate():
        return {field: f"{what} can't be in the future."}
    return {}


def review_date_problem(plan_start: datetime.date | None, reviewed_on: datetime.date | None) -> str:
    """Why a plan can't be reviewed on that day ("" when it can): a review reviews a plan that
    exists, so it is not dated before the plan started."""
    if reviewed_on and plan_start and reviewed_on < plan_start:
        return f"A review can't be dated before the plan started ({plan_start:%m/%d/%Y})."
    return ""
