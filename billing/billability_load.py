"""What assessing notes reads (billability.assess): the notes as rows, and everything the rules
check them against, each read once for all the notes, so the whole assessment uses a fixed
number of queries whatever the number of notes or of claim lines billed before."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, DateField, Exists, OuterRef, QuerySet
from django.db.models.base import ModelState

from audit.prepared import Prepared, Slot
from notes.models import GroupSession, SessionNote
from participants.models import Consent, Coverage, Enrollment
from programs.selectors import certification_types_on

from .billability_rules import PART2_POPULATIONS, substance_use_diagnosed
from .models import DuplicateDecision, FundingSource, PrimaryAdjudication, Rate, ServiceCode
from .reference_kept import kept

BILLABLE_STATUSES = (SessionNote.Status.COSIGNED, SessionNote.Status.FINAL)


# What the rules, the pages and the batch build read of an assessed note; the narratives are
# not read (an unexpected read of another field would be one query per note, and the query
# counts asserted at two sizes would show it).
NOTE_FIELDS = (
    "id", "participant_id", "author_id", "group_id", "status", "date", "start_time", "end_time",
    "modality", "place_of_service", "service",
)  # fmt: skip
# Where `_notes`' rows hold what the loading reads.
ID, PARTICIPANT, AUTHOR, GROUP, DATE, START, END = map(
    NOTE_FIELDS.index, ("id", "participant_id", "author_id", "group_id", "date", "start_time", "end_time")
)


def _span(record) -> tuple:
    """(first day, last day or None, record) of an InForce record: the rules test the days as
    `in_force_on` does, without its two getattr per call (a million calls for 164,000 notes)."""
    return getattr(record, record.in_force_from), getattr(record, record.in_force_until), record


@dataclass
class Loaded:
    """Everything the rules check the notes against, keyed as they look it up. Enrollments and
    coverages by participant are `_span`s; `overlapping` holds only the notes that have any.
    Participants, staff profiles (by author) and the rules' memos are read here rather than
    through each note's descriptors: a dict's lookup, 164,000 times, costs a fraction of theirs."""

    participants: dict
    profiles: dict
    substance_use: dict
    # Participants with an enrollment, on any day, in a Part 2 program (billability_rules).
    part2_enrolled: set
    enrollments: dict
    coverages: dict
    consents: dict
    certified: dict
    overlapping: dict
    codes: dict
    funding: dict
    adjudications: dict
    group_sizes: dict
    # What the rules work out from a few values that many notes share (billability_rules.check).
    memo: dict = field(default_factory=dict)


# What a possible duplicate shows (its author's name, its times) and nothing more: the other
# notes of the same participants and days are many, the duplicates among them few.
_OTHER_NOTE_FIELDS = ("id", "participant_id", "author_id", "date", "start_time", "end_time")
_OTHER_AUTHOR_FIELDS = ("id", "first_name", "last_name", "email")


# The queries below are compiled once (audit/prepared.py): assessing the work page's window of
# 50 notes spent more time writing their SQL than PostgreSQL took to run it.
_field = SessionNote._meta.get_field
_participants = Prepared(lambda: _field("participant").related_model.objects.filter(pk__in=Slot("ids", many=True)))
_authors = Prepared(
    lambda: _field("author").related_model.objects.select_related("staff_profile").filter(pk__in=Slot("ids", many=True))
)
_groups = Prepared(lambda: GroupSession.objects.filter(pk__in=Slot("ids", many=True)))
_group_sizes = Prepared(
    lambda: (
        SessionNote.objects.filter(group_id__in=Slot("ids", many=True))
        .order_by()
        .values("group_id")
        .annotate(n=Count("pk"))
        .values_list("group_id", "n")
    )
)
_enrollments = Prepared(
    lambda: Enrollment.objects.filter(participant_id__in=Slot("ids", many=True)).select_related("program")
)
_coverages = Prepared(
    lambda: Coverage.objects.filter(participant_id__in=Slot("ids", many=True)).select_related("payer")
)
_consents = Prepared(
    lambda: Consent.objects.filter(participant_id__in=Slot("ids", many=True), kind=Consent.Kind.PART2_DISCLOSURE)
)
_codes = Prepared(lambda: ServiceCode.objects.filter(is_active=True).select_related("combined_daily_cap"))
_rates = Prepared(lambda: Rate.objects.filter(service_code_id__in=Slot("ids", many=True)))
_funding = Prepared(lambda: FundingSource.objects.all())
# Found by the notes' participants: a list of every note's id (164,000 of them) took longer
# to send than the query took to run. Another note's adjudication is never looked up.
_adjudications = Prepared(
    lambda: PrimaryAdjudication.objects.filter(
        note__participant_id__in=Slot("ids", many=True), is_current=True
    ).select_related("coverage__payer")
)


def _in_bulk(prepared: Prepared, ids: set) -> dict:
    """`in_bulk(ids)` of a prepared query: no query for no ids."""
    return {row.pk: row for row in prepared(ids=ids)} if ids else {}


def _share_related(notes: list[SessionNote], rows: list[tuple]) -> tuple[dict, dict, dict[int, int]]:
    """Give the notes their participant, author (with staff profile) and group, each read once
    and shared by all its notes: joined to every note, 164,000 unbilled notes built 164,000 of
    each (a quarter of the time of assessing them). Returns the participants and the authors by
    id, and each group's number of notes. The ids come from the notes' rows (`_notes`): a
    note's foreign key is read through a descriptor, a row's by its index (issue 16)."""
    participants = _in_bulk(_participants, {row[PARTICIPANT] for row in rows})
    authors = _in_bulk(_authors, {row[AUTHOR] for row in rows})
    groups = _in_bulk(_groups, {row[GROUP] for row in rows if row[GROUP]})
    # Cached where select_related caches them (the instance's fields cache), set directly: the
    # descriptors' checks (the same object, per note) took as long as reading the notes.
    for n, row in zip(notes, rows, strict=True):
        n._state.fields_cache = {
            "participant": participants[row[PARTICIPANT]],
            "author": authors[row[AUTHOR]],
            "group": groups.get(row[GROUP]),
        }
    return participants, authors, dict(_group_sizes(ids=groups)) if groups else {}


# Up to this many notes (the work page's window, one note's page), the notes' goals are read by
# their ids; past it, by an anti-join on the caller's query (a list of 164,000 ids took longer
# to send than that query took to run).
FEW_NOTES = 5000
_with_goal = Prepared(
    lambda: (
        SessionNote.goals_addressed.through.objects.filter(sessionnote_id__in=Slot("ids", many=True))
        .order_by()
        .values_list("sessionnote_id", flat=True)
        .distinct()
    )
)


def _notes(notes: QuerySet[SessionNote]) -> tuple[list[SessionNote], list[tuple]]:
    """The notes in date order, read as rows and made notes with NOTE_FIELDS only (and
    `documents_goal`), as `.only()` makes them but without Model.__init__'s work per field:
    building 164,000 notes field by field took longer than the query. Returns the notes and
    their rows, in the same order."""
    query = notes.order_by("date", "start_time", "pk").values_list(*NOTE_FIELDS)
    rows = list(query)
    if len(rows) <= FEW_NOTES:
        # A window's notes name their goals in a query compiled once, by the notes' ids.
        without_goal = {row[0] for row in rows} - set(_with_goal(ids=[row[0] for row in rows]) if rows else ())
    else:
        # The few notes that name no goal, found apart: the goal test as a subquery in the notes'
        # query ran once per note, after the parallel scan (half of that query's time for every
        # unbilled note); as its own anti-join it takes a fraction of that.
        goal_links = SessionNote.goals_addressed.through.objects.filter(sessionnote_id=OuterRef("pk"))
        without_goal = set(notes.filter(~Exists(goal_links)).order_by().values_list("pk", flat=True))
    db, new = query.db, SessionNote.__new__
    result = []
    for row in rows:
        note = new(SessionNote)
        note.__dict__.update(zip(NOTE_FIELDS, row, strict=True))
        note.documents_goal = row[0] not in without_goal  # row[0]: NOTE_FIELDS starts with the id
        note._state = ModelState()
        note._state.adding, note._state.db = False, db
        result.append(note)
    return result, rows


def _overlapping(rows: list[tuple]) -> dict[int, list[SessionNote]]:
    """For each note that has any, the other notes of its participant whose times overlap it,
    whoever wrote them, signed or waiting for co-signature (they will be signed), billed or
    not; notes decided "not billed" no longer count. One service is billed once: a second claim
    for it is an overpayment, and the Texas state plan benefit may not be delivered at the same
    time as other behavioral health services (Texas Children's Health Plan provider alert,
    2020-11-06).

    The database keeps only the candidates that overlap some other note of their participant's
    day (any note: a superset of those overlapping the notes assessed, which the test below then
    picks, as before): reading every candidate (some 380,000 rows when assessing every unbilled
    note) to find a handful took longer than any rule. Only those become notes (with their
    author), as `.only()` would load them. `rows`: the notes' (`_notes`)."""
    same_day = defaultdict(list)
    participants, days = {row[PARTICIPANT] for row in rows}, {row[DATE] for row in rows}
    if len(rows) > FEW_NOTES:
        participants, days = _shared_days(participants, days)
    candidates = _overlapping_rows(participants=participants, days=days) if participants else ()
    for other in candidates:
        same_day[(other[1], other[3])].append(other)
    overlapping = {}
    for row in rows if same_day else ():
        pk, start, end = row[ID], row[START], row[END]
        others = [
            _other_note(other)
            for other in same_day.get((row[PARTICIPANT], row[DATE]), ())
            if other[0] != pk and start < other[5] and other[4] < end  # SessionNote.overlaps
        ]
        if others:
            overlapping[pk] = others
    return overlapping


# Participant-days with two notes or more, of any status (as `overlaps_another` counts them), from
# an index-only scan of (participant, date): counting rows, not ids, keeps it index-only.
_days_with_two_notes = Prepared(
    lambda: (
        SessionNote.objects.order_by()
        .values("participant_id", "date")
        .annotate(n=Count("*"))
        .filter(n__gt=1)
        .values_list("participant_id", "date")
    )
)


def _shared_days(participants: set, days: set) -> tuple[set, set]:
    """The participants and days of `_overlapping`'s candidates narrowed to those of the
    participant-days that hold two notes or more: a note overlapping another shares its day
    with it, so no candidate that overlaps another is left out. When assessing every unbilled
    note, the candidates' query otherwise hashed the whole notes table to test its 380,000
    candidates one by one (0.9-1.9 s, a fifth of the assessment; issue 16); counting notes per
    participant-day from the index takes a tenth of that, and leaves a handful of candidates."""
    shared = [(p, d) for p, d in _days_with_two_notes() if p in participants and d in days]
    return {p for p, _ in shared}, {d for _, d in shared}


def _build_overlapping_rows() -> QuerySet:
    overlaps_another = SessionNote.objects.filter(
        participant_id=OuterRef("participant_id"),
        date=OuterRef("date"),
        start_time__lt=OuterRef("end_time"),
        end_time__gt=OuterRef("start_time"),
    ).exclude(pk=OuterRef("pk"))
    return (
        SessionNote.objects.filter(
            participant_id__in=Slot("participants", many=True),
            date__in=Slot("days", many=True, output_field=DateField()),
            status__in=(SessionNote.Status.SUBMITTED, *BILLABLE_STATUSES),
        )
        .filter(Exists(overlaps_another))
        .exclude(Exists(DuplicateDecision.objects.filter(not_billed=OuterRef("pk"))))
        .values_list(*_OTHER_NOTE_FIELDS, *(f"author__{name}" for name in _OTHER_AUTHOR_FIELDS))
    )


_overlapping_rows = Prepared(_build_overlapping_rows)


def _other_note(row: tuple) -> SessionNote:
    """A note of `_overlapping`'s rows with its author, the other fields deferred."""
    db = SessionNote.objects.db
    note_values, author_values = row[: len(_OTHER_NOTE_FIELDS)], row[len(_OTHER_NOTE_FIELDS) :]
    note = SessionNote.from_db(db, _OTHER_NOTE_FIELDS, _in_field_order(SessionNote, _OTHER_NOTE_FIELDS, note_values))
    author_model = SessionNote._meta.get_field("author").related_model
    note.author = author_model.from_db(
        db, _OTHER_AUTHOR_FIELDS, _in_field_order(author_model, _OTHER_AUTHOR_FIELDS, author_values)
    )
    return note


def _in_field_order(model, names: tuple, values: tuple) -> list:
    """`values` of the fields `names`, in the model's field order (as Model.from_db takes them)."""
    by_name = dict(zip(names, values, strict=True))
    return [by_name[f.attname] for f in model._meta.concrete_fields if f.attname in by_name]


def _with_rates(codes: list[ServiceCode]) -> list[ServiceCode]:
    """The codes, each with its rates as a list in `rate_list` (as prefetch_related's to_attr
    would leave them, in the rates' order): each note's code.rates.all() built a queryset (a
    sixth of the time)."""
    rates = defaultdict(list)
    for rate in _rates(ids={code.pk for code in codes}) if codes else ():
        rates[rate.service_code_id].append(rate)
    for code in codes:
        code.rate_list = rates[code.pk]
    return codes


def reference() -> tuple[dict, dict]:
    """The active service codes by what a note bills with (its coverage's billing program, its
    service and its kind), each with its rates and combined cap, and the funding sources by
    program: the reference data every assessment reads."""
    codes = {(code.billing_program, code.service, code.kind): code for code in _with_rates(_codes())}
    funding = defaultdict(list)
    for source in _funding():
        funding[source.program_id].append(source)
    return codes, dict(funding)


def load(notes: QuerySet[SessionNote]) -> tuple[list[SessionNote], Loaded | None]:
    """The notes in date order, and what the rules check them against (None: no note)."""
    notes, rows = _notes(notes)
    if not notes:
        return [], None
    participants, authors, group_sizes = _share_related(notes, rows)
    participant_ids = set(participants)

    enrollments, coverages, consents = (defaultdict(list) for _ in range(3))
    for e in _enrollments(ids=participant_ids):
        enrollments[e.participant_id].append(_span(e))
    # In payment order once per participant, not once per note: the rules take those in force
    # on the day, in the same order (a stable sort of a filtered list keeps it).
    for c in sorted(_coverages(ids=participant_ids), key=lambda c: c.payment_order):
        coverages[c.participant_id].append(_span(c))
    for c in _consents(ids=participant_ids):
        consents[c.participant_id].append((c.recipient_payer_id, c))
    certified = certification_types_on((row[AUTHOR], row[DATE]) for row in rows)
    overlapping = _overlapping(rows)
    # Kept per process while the data is unchanged (billing/reference_kept.py); copies of the
    # dicts, so that nothing a caller does reaches the next request.
    codes, funding = kept(reference)
    codes, funding = dict(codes), defaultdict(list, funding)
    # What other insurance decided before Medicaid (billing/coordination.py), one query.
    adjudications = {adjudication.note_id: adjudication for adjudication in _adjudications(ids=participant_ids)}
    return notes, Loaded(
        participants=participants,
        # The author's staff profile, None when they have none (the rules' getattr default).
        profiles={uid: getattr(author, "staff_profile", None) for uid, author in authors.items()},
        substance_use={pid: substance_use_diagnosed(p) for pid, p in participants.items()},
        part2_enrolled={
            pid
            for pid, spans in enrollments.items()
            if any(e.program.population in PART2_POPULATIONS for *_, e in spans)
        },
        enrollments=enrollments,
        coverages=coverages,
        consents=consents,
        certified=certified,
        overlapping=overlapping,
        codes=codes,
        funding=funding,
        adjudications=adjudications,
        group_sizes=group_sizes,
    )
