"""Reads for the billing pages."""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from audit.paging import bounded_page
from audit.prepared import Prepared, Slot
from notes.models import Service
from participants.models import Coverage, Enrollment
from programs.access import visible_profiles
from programs.models import Payer

from . import denials
from .assessment import GRANT, HOLD, HOLD_KINDS, READY
from .billability import assess, billable_notes
from .caps import with_units_used
from .eligibility import selectors as eligibility_selectors
from .models import Adjustment, Authorization, Claim, ClaimBatch, ClaimLine, Remittance, RemittanceLine, ServiceCode
from .remittance.matching import unmatched_lines


def group_size_limit(
    participant_ids: Iterable[int], day: datetime.date, *, service: str = Service.PEER_SUPPORT
) -> int | None:
    """The most attendees a group of `service` may have, from the service codes that would
    bill it: the smallest `max_group_size` among the service's active group codes of the
    billing programs covering these participants on `day` (a group must satisfy every payer
    in it). When none of them is covered by a program with such a code (a grant-funded group),
    the strictest active group code of the service applies: the conservative reading, as no
    manual we know of allows a larger group. None when the service has no group code at all."""
    codes = ServiceCode.objects.filter(is_active=True, kind=ServiceCode.Kind.GROUP, service=service)
    covered = Coverage.objects.in_force_on(day).filter(participant_id__in=list(participant_ids))
    limit = codes.filter(billing_program__in=covered.values("billing_program")).aggregate(m=Min("max_group_size"))
    if limit["m"] is not None:
        return limit["m"]
    return codes.aggregate(m=Min("max_group_size"))["m"]


def _services_with_codes() -> QuerySet:
    # Only Medicaid coverages bill here (billability: other insurance is billed to its payer first).
    covered = Coverage.objects.in_force_on(Slot("day")).filter(
        participant_id__in=Slot("participants", many=True), kind=Coverage.Kind.MEDICAID
    )
    codes = ServiceCode.objects.filter(
        is_active=True, kind=Slot("kind"), billing_program__in=covered.values("billing_program")
    )
    return codes.values_list("service", flat=True)


# Compiled once (audit/prepared.py): the note editor and every autosave ask it.
_services = Prepared(_services_with_codes)


def services_with_codes(participant_ids: Iterable[int], *, day: datetime.date, group: bool = False) -> set[str]:
    """The services with an active code (a group code, with `group`) under a billing program
    covering one of these participants on `day`: what a note for them may record. Registered
    with notes.extensions in BillingConfig.ready(); one query."""
    kind = ServiceCode.Kind.GROUP if group else ServiceCode.Kind.INDIVIDUAL
    return set(_services(participants=participant_ids, day=day, kind=kind.value))


# Compiled once and prepared on the server (audit/prepared.py): read by every view of billing's
# work page and home, where planning it took longer than running it.
_longest_filing = Prepared(
    lambda: Payer.objects.filter(is_active=True).order_by("-timely_filing_days").values_list("timely_filing_days")[:1]
)


def filing_cutoff(today: datetime.date | None = None) -> datetime.date:
    """Notes dated before this are past every payer's filing limit for a first claim."""
    longest = next((days for (days,) in _longest_filing()), 0)
    return (today or timezone.localdate()) - datetime.timedelta(days=longest)


def work_notes(filters: dict, *, cutoff: datetime.date | None = None) -> QuerySet:
    """The notes awaiting billing that the work page's filters select, oldest (the most
    urgent to bill) first, from `cutoff` on (older ones no payer takes any more). Program and
    payer narrow here by any enrollment or coverage, and exactly, on the note's date, once
    assessed."""
    notes = billable_notes()
    if cutoff is not None:
        notes = notes.filter(date__gte=cutoff)
    if filters.get("specialist"):
        notes = notes.filter(author=filters["specialist"])
    if filters.get("month"):
        notes = notes.filter(date__range=filters["month"])
    if filters.get("program"):
        enrolled = Enrollment.objects.filter(participant=OuterRef("participant"), program=filters["program"])
        notes = notes.filter(Exists(enrolled))
    if filters.get("payer"):
        notes = notes.filter(
            Exists(Coverage.objects.filter(participant=OuterRef("participant"), payer=filters["payer"]))
        )
    return notes.order_by("date", "start_time", "pk")


def work_window(filters: dict, number=None):
    """The window of notes awaiting billing that the work page assesses (BILLING_WORK_WINDOW of
    them, oldest first, from the filing cutoff): a page of note ids."""
    notes = work_notes(filters, cutoff=filing_cutoff())
    return bounded_page(notes.values_list("pk", flat=True), settings.BILLING_WORK_WINDOW, number)


def filing_due_soon(assessment) -> bool:
    """Ready or held but still fixable, and within FILING_WARNING_DAYS of the payer's filing
    limit: what billing's home counts as a filing deadline to meet."""
    return assessment.status in (READY, HOLD) and assessment.fixable and assessment.filing_urgent


def work_assessments(filters: dict, note_ids: Iterable[int] | QuerySet | None = None) -> list:
    """The work page's assessments: of the given notes (one window of `work_notes`: the
    window's page of ids is read as a subquery of the assessment's own query), or of every
    note the filters select."""
    notes = work_notes(filters) if note_ids is None else billable_notes().filter(pk__in=note_ids)
    rows = assess(notes)
    if filters.get("program"):
        rows = [a for a in rows if a.program == filters["program"]]
    if filters.get("payer"):
        rows = [a for a in rows if a.payer == filters["payer"]]
    if filters.get("due_soon"):
        rows = [a for a in rows if filing_due_soon(a)]
    return rows


def home_counts() -> dict:
    """Billing's home figures, each the count behind a list it links to: ready and held (the
    work page with no filters: the same window, the same assessment), their filing limit within
    FILING_WARNING_DAYS (the work page's "due soon" filter) and batches built, not exported
    (the batch list's "open"). A fixed number of queries, and at most one window assessed."""
    window = work_window({})
    rows = work_assessments({}, note_ids=window.object_list)
    return {
        "ready": sum(a.status == READY for a in rows),
        "held": sum(a.status == HOLD for a in rows),
        "due_soon": sum(filing_due_soon(a) for a in rows),
        "open_batches": batches(ClaimBatch.Status.OPEN).count(),
        "window": window,
    }


def limit_fix_links(viewer, assessments) -> None:
    """Keep a hold's "Fix this" link only for a viewer who may open it: a staff profile as
    programs.access decides (one query for the page), the Django admin and consents for the
    roles named on the reason. Anyone else is told who can fix it."""
    reasons = [r for a in assessments for r in a.reasons]
    wanted = {r.staff_profile_id for r in reasons if r.staff_profile_id}
    may_open = set(visible_profiles(viewer).filter(pk__in=wanted).values_list("pk", flat=True)) if wanted else set()
    for r in reasons:
        if r.staff_profile_id and r.staff_profile_id not in may_open:
            r.fix_url = ""
        if r.for_roles and not viewer.has_role(*r.for_roles):
            r.fix_url = ""


def batches(status: str = ""):
    """Claim batches, newest first; of one status when `status` is one (anything else: all)."""
    rows = ClaimBatch.objects.select_related("payer", "created_by")
    if status in ClaimBatch.Status.values:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at")


def batch_rows(page_of_batches) -> list[tuple[ClaimBatch, int, Decimal]]:
    """(batch, claims, charges) for one page of batches: stored at export for frozen batches;
    counted and summed, for the open ones on this page only, from their claims and lines.
    Nothing reads the claims of batches on other pages, however many there are."""
    counts = {b.pk: b.claim_count for b in page_of_batches if b.claim_count is not None}
    totals = {b.pk: b.total_charge for b in page_of_batches if b.total_charge is not None}
    open_ids = [b.pk for b in page_of_batches if b.claim_count is None or b.total_charge is None]
    if open_ids:
        claims = Claim.objects.filter(batch__in=open_ids).values_list("batch").annotate(n=Count("pk")).order_by()
        counts = dict(claims) | counts
        lines = ClaimLine.objects.filter(claim__batch__in=open_ids, voided=False)
        totals = dict(lines.values_list("claim__batch").annotate(total=Sum("charge")).order_by()) | totals
    return [(b, counts.get(b.pk, 0), totals.get(b.pk, Decimal(0))) for b in page_of_batches]


def batch_claims(batch: ClaimBatch):
    """The batch's claims with their lines (`line_list`: a list, not a queryset built for each
    claim), in claim order; the page shows them a page at a time."""
    return (
        batch.claims.select_related("participant", "original__batch__payer", "authorization")
        # A replacement's original batch, for its correction limit: not that batch's files.
        .defer("original__batch__file_837", "original__batch__file_csv")
        .prefetch_related(Prefetch("lines", queryset=ClaimLine.objects.all(), to_attr="line_list"), "corrections")
        .order_by("pk")
    )


def authorizations(*, query: str = "", current_only: bool = False) -> QuerySet[Authorization]:
    """Authorizations with the units used under each (`caps.with_units_used`, one correlated
    subquery, so the list's query count does not grow with authorizations or lines)."""
    rows = with_units_used(Authorization.objects.select_related("participant", "service_code"))
    if current_only:
        rows = rows.in_force_on(timezone.localdate())
    for word in query.split():
        rows = rows.filter(
            Q(number__icontains=word)
            | Q(participant__first_name__icontains=word)
            | Q(participant__last_name__icontains=word)
        )
    return rows.order_by("-start_date", "participant__last_name", "pk")


REVIEW_LIMIT = 50


def work_summary(rows: list, reason: str = "") -> dict:
    """Totals for the work page: ready and held amounts, grant hours, ready notes per payer,
    holds counted by reason; the holds listed (of one reason, when asked), those that can
    still be fixed apart from those past fixing."""
    ready = [a for a in rows if a.status == READY]
    holds = [a for a in rows if a.status == HOLD]
    by_reason = Counter(kind for a in holds for kind in {r.kind for r in a.reasons})
    listed = [a for a in holds if not reason or any(r.kind == reason for r in a.reasons)]
    grants = defaultdict(lambda: {"notes": 0, "minutes": 0})
    for a in rows:
        if a.status == GRANT:
            grants[a.funding]["notes"] += 1
            grants[a.funding]["minutes"] += a.note.duration_minutes or 0
    by_payer = defaultdict(list)
    for a in sorted(ready, key=lambda a: (a.days_left_to_file, a.note.date)):  # the most urgent first
        by_payer[a.payer].append(a)
    return {
        "ready_count": len(ready),
        "ready_amount": sum((a.amount for a in ready), Decimal(0)),
        "hold_count": len(holds),
        "hold_amount": sum((a.amount for a in holds), Decimal(0)),
        "grants": [(source, figures["notes"], Decimal(figures["minutes"]) / 60) for source, figures in grants.items()],
        # Each payer's totals, and its REVIEW_LIMIT most urgent notes to review and untick: the
        # page never renders every ready note of a busy month.
        "by_payer": [
            (
                payer,
                items[:REVIEW_LIMIT],
                len(items),
                sum(a.units for a in items),
                Decimal(sum(a.note.duration_minutes for a in items)) / 60,
            )
            for payer, items in sorted(by_payer.items(), key=lambda item: item[0].name)
        ],
        "holds_by_reason": [(kind, HOLD_KINDS.get(kind, "Other"), n) for kind, n in by_reason.most_common()],
        "holds": [a for a in listed if a.fixable],
        "past_fixing": [a for a in listed if not a.fixable],
    }


def claim_page(claim: Claim) -> dict:
    """What the claim page shows, in a fixed number of queries: its lines with what each
    remittance posted to them (and the adjustments), appeals and write-offs, its history, and
    the claims that correct it."""
    adjustments = Prefetch("adjustments", queryset=Adjustment.objects.order_by("pk"))
    postings = Prefetch(
        "remittance_lines",
        queryset=RemittanceLine.objects.select_related("remittance_claim__remittance")
        .prefetch_related(adjustments)
        .order_by("remittance_claim__remittance__paid_on", "pk"),
    )
    lines = claim.lines.prefetch_related(postings, "appeals__recorded_by", "write_offs__recorded_by").order_by(
        "service_date", "pk"
    )
    return {
        "lines": lines,
        "events": claim.events.select_related("actor", "remittance").order_by("-at", "-pk"),
        "corrections": claim.corrections.select_related("batch").order_by("pk"),
    }


def rejected_claims() -> QuerySet[Claim]:
    """Claims the payer rejected (999, 277CA) not yet sent again."""
    return Claim.objects.filter(status=Claim.Status.REJECTED)


def revenue_cycle_counts(today: datetime.date) -> dict[str, int]:
    """What waits for billing staff after export, each counted from the list it links to, in
    one query: remittances held for review, remittance lines matching no claim, denied lines
    to work, claims the payer rejected, and coverages a payer reports inactive."""
    denied, appealed = denials.queue_to_count()
    counts = counts_of(
        held_remittances=Remittance.objects.filter(status=Remittance.Status.HELD),
        unmatched_lines=unmatched_lines(),  # what the unmatched list shows
        denials=denied,
        appealed=appealed,
        rejected_claims=rejected_claims(),
        inactive_coverages=eligibility_selectors.reported_inactive(today),
    )
    counts["denials"] -= counts.pop("appealed")  # what denials.queue({}) lists
    return counts


def counts_of(**querysets: QuerySet | tuple[QuerySet, str]) -> dict[str, int]:
    """How many rows each queryset has, or for a (queryset, field) pair the sum of that field
    over its rows (figures stored per row), in one query (a scalar subquery each) rather than a
    round trip each: a home page shows several counts."""
    parts, params = [], []
    for queryset in querysets.values():
        queryset, summed = queryset if isinstance(queryset, tuple) else (queryset, None)
        sql, queryset_params = queryset.order_by().values(summed or "pk").query.sql_with_params()
        counted = f'COALESCE(SUM("{summed}"), 0)' if summed else "COUNT(*)"
        parts.append(f"(SELECT {counted} FROM ({sql}) AS counted)")  # noqa: S608 (the ORM's SQL, values as params)
        params.extend(queryset_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        return dict(zip(querysets, cursor.fetchone(), strict=True))
