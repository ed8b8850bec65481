"""What an amended record held before each change, in words: the amendment history shown on
the assessment and check-in pages. Each Amendment keeps the values before it; the values after
it are the next amendment's `previous`, or the record as it is now."""

from dataclasses import dataclass

from .models import Amendment, Assessment, CheckIn
from .services import ASSESSMENT_FIELDS, CHECK_IN_FIELDS, snapshot


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    amendment: Amendment
    changes: list[Change]


def _entries(amendments: list[Amendment], now: dict, describe) -> list[Entry]:
    """Newest first; `describe(before, after)` lists what differs between two snapshots."""
    entries, after = [], now
    for amendment in amendments:
        entries.append(Entry(amendment, describe(amendment.previous, after)))
        after = amendment.previous
    return entries


def assessment_history(assessment: Assessment) -> list[Entry]:
    spec = assessment.instrument.spec
    labels = {(item.number, option.value): option.label for item in spec.items for option in item.options}

    def answer(snapshot: dict, number: int) -> str:
        value = (snapshot.get("answers") or {}).get(str(number))
        return f"{value} ({labels.get((number, value), '?')})" if value is not None else "none"

    def describe(before: dict, after: dict) -> list[Change]:
        changes = []
        if before.get("taken_on") != after.get("taken_on"):
            changes.append(Change("Date", str(before.get("taken_on")), str(after.get("taken_on"))))
        for item in spec.items:
            if answer(before, item.number) != answer(after, item.number):
                changes.append(
                    Change(f"Question {item.number}", answer(before, item.number), answer(after, item.number))
                )
        if (before.get("total"), before.get("band")) != (after.get("total"), after.get("band")):
            changes.append(
                Change(
                    "Total",
                    f"{before.get('total')} ({before.get('band')})",
                    f"{after.get('total')} ({after.get('band')})",
                )
            )
        return changes

    now = snapshot(assessment, ASSESSMENT_FIELDS)
    return _entries(list(assessment.amendments.select_related("amended_by")), now, describe)


def _check_in_value(name: str, value) -> str:
    field = CheckIn._meta.get_field(name)
    if field.choices:
        return str(dict(field.choices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def check_in_history(check_in: CheckIn, labels: dict[str, str]) -> list[Entry]:
    def describe(before: dict, after: dict) -> list[Change]:
        return [
            Change(
                labels.get(name, name), _check_in_value(name, before.get(name)), _check_in_value(name, after.get(name))
            )
            for name in CHECK_IN_FIELDS
            if before.get(name) != after.get(name)
        ]

    now = snapshot(check_in, CHECK_IN_FIELDS)
    return _entries(list(check_in.amendments.select_related("amended_by")), now, describe)
