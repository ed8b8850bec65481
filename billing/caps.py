"""Caps and authorizations: how many units a note may still bill.

- A cap belongs to the service, not to one code: H0038 individual and H0038 group of one
  billing program (the same `ServiceCode.service`) draw on one daily cap, one rolling cap and
  one authorization, whatever their kind or modifiers. When the service's codes disagree on
  a cap, the smallest applies (the conservative reading).
- A combined daily cap (`ServiceCode.combined_daily_cap`) spans several services of one
  billing program: Texas caps all rehabilitative services together at 8 hours a day, crisis
  services excepted, on top of each service's own caps (H2014: 16 units a day). It is kept in
  minutes, since its codes' units need not be the same length, and is not a service: each
  service keeps its own caps and authorizations, and a code left out of it is exempt.
- A rolling cap holds in every window of its length that contains the note, so units dated
  after the note count too: a session billed late must not push a later window over the cap.
  ("104 units per rolling 6 months", Texas Children's Health Plan provider alert 2020-11-06,
  names no fixed period, so every period of 183 days must stay within it: the conservative
  reading.)
- History is read for the windows that matter only: units per participant, service and day,
  summed by the database, from the first day a window around the participant's notes can
  start to the last day one can end; and for each authorization, the units already billed
  against it, summed by the database. No claim line outside those ranges is read, so the
  work stays proportional to the notes assessed, not to the years of claims behind them.

Two batch builds at once could each see the other's units as unused; `services.batch_build`
locks the participants' rows before assessing, so they consume caps one after the other.
"""

import datetime
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from itertools import accumulate
from operator import or_
from urllib.parse import urlencode

from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from audit.prepared import Prepared, ServerStatement, Slot

from .models import Authorization, Claim, ClaimLine, ServiceCode

ONE_DAY = datetime.timedelta(days=1)


def day_text(value: datetime.date) -> str:
    return f"{value:%b} {value.day}, {value.year}"


@dataclass(frozen=True)
class Caps:
    daily: int | None = None
    rolling_units: int | None = None
    rolling_days: int | None = None

    @property
    def reach(self) -> datetime.timedelta:
        """How far from a note's day a window containing it can reach."""
        return ONE_DAY * ((self.rolling_days or 1) - 1)


def _smallest(*values):
    present = [v for v in values if v is not None]
    return min(present) if present else None


def service_caps(codes) -> dict[tuple[str, str], Caps]:
    """(billing program, service) -> its caps: the strictest among its active codes."""
    caps: dict[tuple[str, str], Caps] = {}
    for code in codes:
        key, old = (code.billing_program, code.service), caps.get((code.billing_program, code.service), Caps())
        days = [d for d in (old.rolling_days, code.rolling_cap_days) if d]
        caps[key] = Caps(
            daily=_smallest(old.daily, code.daily_unit_cap),
            rolling_units=_smallest(old.rolling_units, code.rolling_cap_units),
            rolling_days=max(days) if days else None,
        )
    return caps


@dataclass
class UnitsByDay:
    """The units one participant has used of one service, day by day."""

    days: list[datetime.date] = field(default_factory=list)
    units: dict[datetime.date, int] = field(default_factory=dict)

    def add(self, day: datetime.date, units: int) -> None:
        if day not in self.units:
            insort(self.days, day)
            self.units[day] = 0
        self.units[day] += units

    def on(self, day: datetime.date) -> int:
        return self.units.get(day, 0)

    def busiest_window(self, day: datetime.date, length: int) -> int:
        """The most units in any window of `length` days that contains `day`."""
        reach = ONE_DAY * (length - 1)
        near = self.days[bisect_left(self.days, day - reach) : bisect_right(self.days, day + reach)]
        prefix = [0, *accumulate(self.units[d] for d in near)]

        def total(first: datetime.date, last: datetime.date) -> int:
            return prefix[bisect_right(near, last)] - prefix[bisect_left(near, first)]

        # Sliding a window later only adds units when its last day reaches a day with units,
        # so the busiest window containing `day` ends on `day` or on a later day with units.
        ends = [day, *(d for d in near if d > day)]
        return max(total(end - reach, end) for end in ends)


def _history(spans: dict[int, tuple[datetime.date, datetime.date]]) -> list[tuple]:
    """(participant, billing program, service, combined cap, day, units, minutes) of live claim
    lines, summed per day, each participant's within their span only."""
    if not spans:
        return []
    if connection.vendor == "postgresql":
        return _history_postgresql(spans)
    within = reduce(or_, (Q(claim__participant_id=p, service_date__range=span) for p, span in spans.items()))
    rows = (
        ClaimLine.objects.filter(within, voided=False)
        .order_by()
        .values(
            "claim__participant_id", "service_code__billing_program", "service_code__service",
            "service_code__combined_daily_cap_id", "service_date",
        )
        .annotate(total=Sum("units"), minutes=Sum(F("units") * F("service_code__unit_minutes")))
    )  # fmt: skip
    return [
        (r["claim__participant_id"], r["service_code__billing_program"], r["service_code__service"],
         r["service_code__combined_daily_cap_id"], r["service_date"], r["total"], r["minutes"])
        for r in rows
    ]  # fmt: skip


_HISTORY = ServerStatement()  # prepared on the server: planning it took longer than running it


def _history_postgresql(spans: dict[int, tuple[datetime.date, datetime.date]]) -> list[tuple]:
    """`_history` on PostgreSQL: the spans as a table (three arrays, unnested) joined to the
    claims, so each participant's lines are found through the (participant) index and filtered
    by their own span. The OR of one condition per participant that the ORM writes is tested
    against every line: with the 12,000 participants of a large agency's unbilled notes, it ran
    for more than ten minutes."""
    line, claim, code = (m._meta.db_table for m in (ClaimLine, Claim, ServiceCode))
    sql = (
        "SELECT c.participant_id, sc.billing_program, sc.service, sc.combined_daily_cap_id, l.service_date, "  # noqa: S608 (names from the models)
        "SUM(l.units), SUM(l.units * sc.unit_minutes) "
        "FROM unnest(%s::bigint[], %s::date[], %s::date[]) AS s(participant_id, first_day, last_day) "
        f"JOIN {claim} c ON c.participant_id = s.participant_id "
        f"JOIN {line} l ON l.claim_id = c.id AND l.service_date BETWEEN s.first_day AND s.last_day "
        f"JOIN {code} sc ON sc.id = l.service_code_id "
        "WHERE NOT l.voided GROUP BY 1, 2, 3, 4, 5"
    )
    participants = list(spans)
    params = [participants, [spans[p][0] for p in participants], [spans[p][1] for p in participants]]
    with connection.cursor() as cursor:
        cursor.execute(_HISTORY.sql(connection, sql, params), params)
        return cursor.fetchall()


def with_units_used(authorizations: QuerySet) -> QuerySet:
    """Annotate each authorization's `units_used`: the units of the live claim lines of its
    participant and service (individual and group alike) dated within it. The one definition,
    for the cap ledger and for the authorizations page alike; one correlated subquery."""
    used = (
        ClaimLine.objects.filter(
            voided=False,
            claim__participant_id=OuterRef("participant_id"),
            service_code__billing_program=OuterRef("service_code__billing_program"),
            service_code__service=OuterRef("service_code__service"),
            service_date__gte=OuterRef("start_date"),
            service_date__lte=OuterRef("end_date"),
        )
        .order_by()
        .values("claim__participant_id")
        .annotate(total=Sum("units"))
        .values("total")
    )
    return authorizations.annotate(units_used=Coalesce(Subquery(used), 0))


# Compiled once (audit/prepared.py): writing its SQL took longer than running it.
_authorizations_used = Prepared(
    lambda: with_units_used(
        Authorization.objects.filter(participant_id__in=Slot("participants", many=True))
        .overlapping(Slot("first"), Slot("last"))
        .select_related("service_code")
    )
)


def _authorizations(participant_ids: set[int], first: datetime.date, last: datetime.date):
    """The authorizations in force on some day of [first, last], each with its units used."""
    return _authorizations_used(participants=participant_ids, first=first, last=last)


class CapLedger:
    """The units each participant has used of each service, and of each authorization, for
    the assessments given: what is billed already, then each ready note as it is consumed."""

    def __init__(self, assessments: list, codes: list[ServiceCode]):
        self.caps = service_caps(codes)
        self.used: dict[tuple, UnitsByDay] = defaultdict(UnitsByDay)
        # Minutes per (participant, combined cap), day by day.
        self.combined_used: dict[tuple, UnitsByDay] = defaultdict(UnitsByDay)
        self.authorizations: dict[tuple, list[Authorization]] = defaultdict(list)
        self.auth_used: dict[int, int] = {}
        spans = {}
        for a in assessments:
            reach = self.caps_for(a.code).reach
            first, last = a.note.date - reach, a.note.date + reach
            if a.note.participant_id in spans:
                old_first, old_last = spans[a.note.participant_id]
                first, last = min(first, old_first), max(last, old_last)
            spans[a.note.participant_id] = (first, last)
        # Summed by day first and each day list sorted once, as `UnitsByDay.add` would leave it:
        # adding the history's 200,000 rows one at a time kept inserting into sorted lists.
        used, combined_used = defaultdict(dict), defaultdict(dict)
        for participant_id, program, service, cap_id, day, units, minutes in _history(spans):
            by_day = used[(participant_id, program, service)]
            by_day[day] = by_day.get(day, 0) + units
            if cap_id is not None:
                by_day = combined_used[(participant_id, cap_id)]
                by_day[day] = by_day.get(day, 0) + minutes
        for ledger, history in ((self.used, used), (self.combined_used, combined_used)):
            ledger.update((key, UnitsByDay(sorted(by_day), by_day)) for key, by_day in history.items())
        # Every ready note's authorizations: a code that needs one consumes it; for one that
        # doesn't, an authorization on file is still sent (REF*G1, billing-rules.md "On the claim").
        if assessments:
            days = [a.note.date for a in assessments]
            for auth in _authorizations({a.note.participant_id for a in assessments}, min(days), max(days)):
                code = auth.service_code
                self.authorizations[(auth.participant_id, code.billing_program, code.service)].append(auth)
                self.auth_used[auth.pk] = auth.units_used

    def caps_for(self, code: ServiceCode) -> Caps:
        return self.caps.get((code.billing_program, code.service), Caps())

    def consume(self, a) -> None:
        """Apply the service's caps and authorization to a ready assessment: cut its units to
        what is left, or hold it when nothing is; then count its units as used."""
        code, day = a.code, a.note.date
        key = (a.note.participant_id, code.billing_program, code.service)
        caps, used = self.caps_for(code), self.used[key]
        if caps.daily is not None and not self._limit(
            a, caps.daily - used.on(day), f"the daily cap of {caps.daily} units for {code.hcpcs}",
            f"The daily cap of {caps.daily} units for {code.hcpcs} is already used on {day_text(day)}.",
        ):  # fmt: skip
            return
        if caps.rolling_units is not None:
            cap = f"{caps.rolling_units} units per {caps.rolling_days} days"
            left = caps.rolling_units - used.busiest_window(day, caps.rolling_days)
            held = (
                f"The cap of {cap} for {code.hcpcs} is used up in a {caps.rolling_days}-day period "
                f"that includes {day_text(day)}."
            )
            if not self._limit(a, left, f"the rolling {caps.rolling_days}-day cap", held):
                return
        combined = code.combined_daily_cap
        if combined is not None:
            minutes = self.combined_used[(a.note.participant_id, combined.pk)]
            left = (combined.daily_minutes - minutes.on(day)) // code.unit_minutes
            held = f"The daily cap of {combined.hours} for {combined.name} is already used on {day_text(day)}."
            if not self._limit(a, left, f"the daily cap of {combined.hours} for {combined.name}", held):
                return
        auth = None
        if code.requires_authorization:
            auth = next((x for x in self.authorizations[key] if x.in_force_on(day)), None)
            if auth is None:
                url = (
                    reverse("billing:authorization_create")
                    + "?"
                    + urlencode({"participant": a.note.participant_id, "service_code": code.pk})
                )
                a.hold(f"No authorization for {code.hcpcs} covers {day_text(day)}.", url, kind="authorization")
                return
            left = auth.units_authorized - self.auth_used[auth.pk]
            held = f"Authorization {auth.number} has no units left ({auth.units_authorized} authorized)."
            url = reverse("billing:authorization_edit", args=[auth.pk])
            if not self._limit(a, left, f"authorization {auth.number}", held, fix_url=url, kind="authorization"):
                return
            self.auth_used[auth.pk] += a.units
        else:
            auth = next((x for x in self.authorizations[key] if x.in_force_on(day)), None)
        a.authorization = auth
        used.add(day, a.units)
        if combined is not None:
            self.combined_used[(a.note.participant_id, combined.pk)].add(day, a.units * code.unit_minutes)

    @staticmethod
    def _limit(a, left: int, by: str, held: str, **about) -> bool:
        if left <= 0:
            a.hold(held, about.pop("fix_url", ""), **({"kind": "cap"} | about))
            return False
        if a.units > left:
            a.cap_note = f"Capped to {left} of {a.units} units by {by}."
            a.units = left
        return True
