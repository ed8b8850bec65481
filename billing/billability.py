"""Is a signed session note ready to bill, and if not, why not?

Every rule is checked on the note's date of service and every failure is kept, in words a
billing clerk can act on, with a link to where it is fixed. Notes are assessed in date order
so that daily caps, rolling caps and authorizations are consumed in the order the services
happened. The whole assessment uses a fixed number of queries, whatever the number of notes.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from notes.models import Modality, SessionNote
from participants.models import Consent, Coverage, Enrollment
from programs.models import Program
from programs.selectors import certified_on

from .models import Authorization, ClaimLine, FundingSource, Rate, ServiceCode

READY, HOLD, GRANT = "ready", "hold", "grant"
# Ready notes this close to the payer's filing limit are flagged and listed first.
FILING_WARNING_DAYS = 30
BILLABLE_STATUSES = (SessionNote.Status.COSIGNED, SessionNote.Status.FINAL)
TELEHEALTH_MODIFIER = {Modality.VIDEO: "95", Modality.PHONE: "93", Modality.AUDIO_ONLY: "93"}


@dataclass
class Reason:
    text: str
    fix_url: str = ""
    # When fix_url is a staff profile, which only some viewers may open: the profile, and who to
    # ask otherwise (`selectors.limit_fix_links` applies it for the viewer).
    staff_profile_id: int | None = None
    fixed_by: str = ""


@dataclass
class Assessment:
    note: SessionNote
    status: str = HOLD
    reasons: list[Reason] = field(default_factory=list)
    coverage: Coverage | None = None
    code: ServiceCode | None = None
    units: int = 0
    rate: Decimal | None = None
    modifiers: list[str] = field(default_factory=list)
    program: Program | None = None
    funding: FundingSource | None = None
    cap_note: str = ""
    # The authorization in force for the note's code that day, if any: its number goes on the
    # claim (REF*G1), and notes under different authorizations go on different claims.
    authorization: Authorization | None = None
    # Assessed for a replacement claim: the payer's correction limit applies (checked by
    # services.claim_correct), not the filing limit of a first claim.
    correction: bool = False
    assessed_on: datetime.date | None = None

    @property
    def days_left_to_file(self) -> int | None:
        """Days until the payer's filing limit for a first claim passes (negative: past it)."""
        if self.coverage is None or self.assessed_on is None:
            return None
        return self.coverage.payer.timely_filing_days - (self.assessed_on - self.note.date).days

    @property
    def filing_urgent(self) -> bool:
        """Within FILING_WARNING_DAYS of the limit: bill it first."""
        days = self.days_left_to_file
        return days is not None and days <= FILING_WARNING_DAYS

    @property
    def amount(self) -> Decimal:
        return (self.rate or Decimal(0)) * self.units

    @property
    def payer(self):
        return self.coverage.payer if self.coverage else None

    def hold(self, text: str, fix_url: str = "", **who_fixes) -> None:
        self.reasons.append(Reason(text, fix_url, **who_fixes))


def _day(value: datetime.date) -> str:
    return f"{value:%b} {value.day}, {value.year}"


def billable_notes() -> QuerySet[SessionNote]:
    """Signed notes not on a live claim line, nor voided with "do not rebill"."""
    live_line = ClaimLine.objects.filter(note=OuterRef("pk"), voided=False)
    not_to_rebill = ClaimLine.objects.filter(note=OuterRef("pk"), do_not_rebill=True)
    return (
        SessionNote.objects.filter(status__in=BILLABLE_STATUSES)
        .exclude(Exists(live_line))
        .exclude(Exists(not_to_rebill))
    )


def assess(
    notes: QuerySet[SessionNote], *, today: datetime.date | None = None, correction: bool = False
) -> list[Assessment]:
    today = today or timezone.localdate()
    notes = list(
        notes.select_related("participant", "author__staff_profile", "group")
        .prefetch_related(Prefetch("group__notes", queryset=SessionNote.objects.only("pk", "group_id")))
        .order_by("date", "start_time", "pk")
    )
    if not notes:
        return []
    participant_ids = {n.participant_id for n in notes}
    earliest = min(n.date for n in notes)

    enrollments, coverages, consents, authorizations = (defaultdict(list) for _ in range(4))
    for e in Enrollment.objects.filter(participant_id__in=participant_ids).select_related("program"):
        enrollments[e.participant_id].append(e)
    for c in Coverage.objects.filter(participant_id__in=participant_ids).select_related("payer"):
        coverages[c.participant_id].append(c)
    for c in Consent.objects.filter(participant_id__in=participant_ids, kind=Consent.Kind.PART2_DISCLOSURE):
        consents[c.participant_id].append(c)
    for a in Authorization.objects.filter(participant_id__in=participant_ids):
        authorizations[(a.participant_id, a.service_code_id)].append(a)
    certified = certified_on((n.author_id, n.date) for n in notes)
    codes = {
        (code.billing_program, code.kind): code
        for code in ServiceCode.objects.filter(is_active=True).prefetch_related(
            Prefetch("rates", queryset=Rate.objects.all())
        )
    }
    funding = defaultdict(list)
    for source in FundingSource.objects.all():
        funding[source.program_id].append(source)

    # Units already on live claim lines, for caps and authorizations.
    longest_window = max((c.rolling_cap_days or 0 for c in codes.values()), default=0)
    billed = defaultdict(list)  # (participant, code) -> [(date, units)]
    lines = ClaimLine.objects.filter(
        voided=False,
        claim__participant_id__in=participant_ids,
        service_date__gte=earliest - datetime.timedelta(days=longest_window),
    ).values_list("claim__participant_id", "service_code_id", "service_date", "units")
    for participant_id, code_id, day, units in lines:
        billed[(participant_id, code_id)].append((day, units))
    # Lines for authorizations may be older than the cap window.
    auth_used = defaultdict(int)
    auth_lines = ClaimLine.objects.filter(voided=False, claim__participant_id__in=participant_ids).values_list(
        "claim__participant_id", "service_code_id", "service_date", "units"
    )
    auth_lines = list(auth_lines)

    results = []
    for note in notes:
        a = Assessment(note=note, assessed_on=today, correction=correction)
        _check(a, note, today, enrollments, coverages, consents, certified, codes, funding)
        if a.code and not a.reasons and a.status != GRANT:
            _consume(a, note, billed, authorizations, auth_lines, auth_used)
        if a.status != GRANT:
            a.status = HOLD if a.reasons else READY
        results.append(a)
    return results


def _check(a, note, today, enrollments, coverages, consents, certified, codes, funding) -> None:
    participant_url = reverse("participants:detail", args=[note.participant_id])
    day = note.date
    active = [e for e in enrollments[note.participant_id] if e.in_force_on(day)]
    if not active:
        a.hold(f"Not enrolled in any program on {_day(day)}.", participant_url + "#enrollment")
        return
    a.program = active[0].program
    kind = ServiceCode.Kind.GROUP if note.group_id else ServiceCode.Kind.INDIVIDUAL
    covering = [c for c in coverages[note.participant_id] if c.in_force_on(day)]
    with_code = [(c, codes.get((c.billing_program, kind))) for c in covering]
    with_code = [(c, code) for c, code in with_code if code is not None]
    if not covering:
        grant = next((s for e in active for s in funding[e.program_id] if s.in_force_on(day)), None)
        if grant is not None:
            a.status, a.funding = GRANT, grant
            return
        a.hold(f"No coverage on {_day(day)} and no grant funds {a.program} then.", participant_url + "#coverage")
        return
    if not with_code:
        names = ", ".join(c.get_billing_program_display() for c in covering)
        a.hold(
            f"No active service code for {kind} sessions under {names}.",
            reverse("admin:billing_servicecode_changelist"),
        )
        return
    a.coverage, a.code = with_code[0]
    code = a.code

    if code.minimum_age and note.participant.age_on(day) < code.minimum_age:
        a.hold(
            f"Under {code.minimum_age} on {_day(day)}: {code.hcpcs} is for adults {code.minimum_age} and over.",
            participant_url,
        )
    if code.requires_certified_peer and (note.author_id, day) not in certified:
        profile = getattr(note.author, "staff_profile", None)
        url = reverse("programs:profile_detail", args=[profile.pk]) if profile else ""
        a.hold(f"{note.author} had no valid peer certification on {_day(day)}.", url)
    payer = a.coverage.payer
    profile = getattr(note.author, "staff_profile", None)
    if payer.requires_rendering_provider and not (profile and profile.npi):
        a.hold(
            f"{note.author} has no NPI; {payer} requires the rendering provider.",
            reverse("programs:profile_detail", args=[profile.pk]) if profile else "",
            staff_profile_id=profile.pk if profile else None,
            fixed_by="a program admin",
        )
    if kind == ServiceCode.Kind.GROUP and len(note.group.notes.all()) > code.max_group_size:
        a.hold(f"The group had more than {code.max_group_size} attendees.")
    a.units = code.units_for(note.duration_minutes or 0)
    if a.units == 0:
        a.hold(f"{note.duration_minutes} minutes is less than one billable unit of {code.unit_minutes} minutes.")
    rate = next((r for r in code.rates.all() if r.in_force_on(day)), None)
    if rate is None:
        a.hold(f"No rate for {code.hcpcs} on {_day(day)}.", reverse("admin:billing_rate_changelist"))
    else:
        a.rate = rate.rate_per_unit
    if any(e.program.population == Program.Population.SUBSTANCE_USE for e in active) and not any(
        c.recipient_payer_id == a.coverage.payer_id and c.in_force_on(day) for c in consents[note.participant_id]
    ):
        a.hold(f"No current 42 CFR Part 2 consent to disclose to {a.coverage.payer}.", participant_url + "#consents")
    participant = note.participant
    if not (participant.address_line1 and participant.city and participant.state and participant.zip_code):
        a.hold("The participant's address is incomplete; the claim needs street, city, state and ZIP.", participant_url)
    age = (today - day).days
    if age > a.coverage.payer.timely_filing_days and not a.correction:
        a.hold(f"Past {a.coverage.payer}'s {a.coverage.payer.timely_filing_days}-day filing limit ({age} days old).")
    modifiers = list(code.modifier_list)
    if kind == ServiceCode.Kind.GROUP and "HQ" not in modifiers:
        modifiers.append("HQ")
    if note.modality in TELEHEALTH_MODIFIER:
        modifiers.append(TELEHEALTH_MODIFIER[note.modality])
    a.modifiers = modifiers[:4]


def _consume(a, note, billed, authorizations, auth_lines, auth_used) -> None:
    """Apply caps and authorizations, counting units already billed and units of earlier
    ready notes in this same assessment."""
    code, day = a.code, note.date
    key = (note.participant_id, code.pk)
    history = billed[key]
    if code.daily_unit_cap is not None:
        left = code.daily_unit_cap - sum(u for d, u in history if d == day)
        if left <= 0:
            a.hold(f"The daily cap of {code.daily_unit_cap} units for {code.hcpcs} is already used on {_day(day)}.")
            return
        if a.units > left:
            a.cap_note = f"Capped to {left} of {a.units} units by the daily cap."
            a.units = left
    if code.rolling_cap_units is not None:
        since = day - datetime.timedelta(days=code.rolling_cap_days - 1)
        left = code.rolling_cap_units - sum(u for d, u in history if since <= d <= day)
        if left <= 0:
            cap = f"{code.rolling_cap_units} units per {code.rolling_cap_days} days"
            a.hold(f"The cap of {cap} for {code.hcpcs} is used up.")
            return
        if a.units > left:
            a.cap_note = f"Capped to {left} of {a.units} units by the rolling {code.rolling_cap_days}-day cap."
            a.units = left
    if code.requires_authorization:
        auth = next((x for x in authorizations[key] if x.in_force_on(day)), None)
        if auth is None:
            a.hold(
                f"No authorization for {code.hcpcs} covers {_day(day)}.",
                reverse("participants:detail", args=[note.participant_id]),
            )
            return
        if auth.pk not in auth_used:
            auth_used[auth.pk] = sum(
                u for p, c, d, u in auth_lines if p == note.participant_id and c == code.pk and auth.in_force_on(d)
            )
        left = auth.units_authorized - auth_used[auth.pk]
        if left <= 0:
            a.hold(f"Authorization {auth.number} has no units left ({auth.units_authorized} authorized).")
            return
        if a.units > left:
            a.cap_note = f"Capped to {left} of {a.units} units by authorization {auth.number}."
            a.units = left
        auth_used[auth.pk] += a.units
        a.authorization = auth
    else:
        # Not required, but one is on file: it is still sent (REF*G1, billing-rules.md "On the claim").
        a.authorization = next((x for x in authorizations[key] if x.in_force_on(day)), None)
    history.append((day, a.units))
