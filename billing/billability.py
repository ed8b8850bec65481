"""Is a signed session note ready to bill, and if not, why not?

Every rule is checked on the note's date of service and every failure is kept, in words a
billing clerk can act on, with a link to where it is fixed. Notes are assessed in date order
so that daily caps, rolling caps and authorizations (billing/caps.py) are consumed in the
order the services happened. The whole assessment uses a fixed number of queries, whatever
the number of notes or of claim lines billed before.
"""

import datetime
import gc
import re
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from notes.models import GroupSession, Modality, SessionNote, place_mismatch
from participants.models import Consent, Coverage, Enrollment
from programs.models import Certification, Program
from programs.selectors import certification_types_on

from .assessment import ADMIN_ONLY, GRANT, HOLD, READY, Assessment
from .caps import CapLedger, day_text
from .models import ClaimLine, DuplicateDecision, FundingSource, PrimaryAdjudication, Rate, ServiceCode
from .secondary import check_secondary, coordinate

BILLABLE_STATUSES = (SessionNote.Status.COSIGNED, SessionNote.Status.FINAL)
# ICD-10-CM F10-F19: mental and behavioural disorders due to psychoactive substance use.
SUBSTANCE_USE_DIAGNOSIS = re.compile(r"^F1\d")
# A program that holds itself out as providing substance use disorder treatment is a Part 2
# program (42 CFR 2.11); a co-occurring program does, so it counts too (conservative reading).
PART2_POPULATIONS = (Program.Population.SUBSTANCE_USE, Program.Population.CO_OCCURRING)
TELEHEALTH_MODIFIER = {Modality.VIDEO: "95", Modality.PHONE: "93", Modality.AUDIO_ONLY: "93"}


def time_text(value: datetime.time) -> str:
    return value.strftime("%I:%M %p").lstrip("0")


def billable_notes() -> QuerySet[SessionNote]:
    """Signed notes not on a live claim line, nor voided with "do not rebill", nor decided
    "not billed" as a duplicate."""
    live_line = ClaimLine.objects.filter(note=OuterRef("pk"), voided=False)
    not_to_rebill = ClaimLine.objects.filter(note=OuterRef("pk"), do_not_rebill=True)
    return (
        SessionNote.objects.filter(status__in=BILLABLE_STATUSES)
        .exclude(Exists(live_line))
        .exclude(Exists(not_to_rebill))
        .exclude(Exists(DuplicateDecision.objects.filter(not_billed=OuterRef("pk"))))
    )


# What a possible duplicate shows (its author's name, its times) and nothing more: the other
# notes of the same participants and days are many, the duplicates among them few.
_OTHER_NOTE_FIELDS = ("id", "participant_id", "author_id", "date", "start_time", "end_time")
_OTHER_AUTHOR_FIELDS = ("id", "first_name", "last_name", "email")


def _share_related(notes: list[SessionNote]) -> dict[int, int]:
    """Give the notes their participant, author (with staff profile) and group, each read once
    and shared by all its notes: joined to every note, 164,000 unbilled notes built 164,000 of
    each (a quarter of the time of assessing them). Returns each group's number of notes."""
    field = SessionNote._meta.get_field
    participants = field("participant").related_model.objects.in_bulk({n.participant_id for n in notes})
    authors = (
        field("author").related_model.objects.select_related("staff_profile").in_bulk({n.author_id for n in notes})
    )
    groups = GroupSession.objects.in_bulk({n.group_id for n in notes if n.group_id})
    # Cached as select_related caches them: the descriptors' checks (the same object, per note)
    # took as long as reading the notes.
    cache_participant, cache_author, cache_group = (
        field(name).set_cached_value for name in ("participant", "author", "group")
    )
    for n in notes:
        cache_participant(n, participants[n.participant_id])
        cache_author(n, authors[n.author_id])
        cache_group(n, groups.get(n.group_id))
    return dict(
        SessionNote.objects.filter(group_id__in=groups)
        .order_by()
        .values("group_id")
        .annotate(n=Count("pk"))
        .values_list("group_id", "n")
    )


def _overlapping(notes: list[SessionNote]) -> dict[int, list[SessionNote]]:
    """For each note, the other notes of its participant whose times overlap it, whoever wrote
    them, signed or waiting for co-signature (they will be signed), billed or not; notes
    decided "not billed" no longer count. One service is billed once: a second claim for it is
    an overpayment, and the Texas state plan benefit may not be delivered at the same time as
    other behavioral health services (Texas Children's Health Plan provider alert, 2020-11-06).

    The candidates are read as plain rows; only those that overlap become notes (with their
    author), as `.only()` would load them: assessing every unbilled note reads some 200,000."""
    same_day = defaultdict(list)
    rows = (
        SessionNote.objects.filter(
            participant_id__in={n.participant_id for n in notes},
            date__in={n.date for n in notes},
            status__in=(SessionNote.Status.SUBMITTED, *BILLABLE_STATUSES),
        )
        .exclude(Exists(DuplicateDecision.objects.filter(not_billed=OuterRef("pk"))))
        .values_list(*_OTHER_NOTE_FIELDS, *(f"author__{name}" for name in _OTHER_AUTHOR_FIELDS))
    )
    for row in rows:
        same_day[(row[1], row[3])].append(row)
    return {
        n.pk: [
            _other_note(row)
            for row in same_day[(n.participant_id, n.date)]
            if row[0] != n.pk and n.start_time < row[5] and row[4] < n.end_time  # SessionNote.overlaps
        ]
        for n in notes
    }


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


def assess(
    notes: QuerySet[SessionNote], *, today: datetime.date | None = None, correction: bool = False
) -> list[Assessment]:
    # Every note is kept until the end: the collector's full passes over the growing heap, which
    # frees nothing here, took a quarter of the time of assessing 164,000 notes.
    was_enabled, _ = gc.isenabled(), gc.disable()
    try:
        return _assess(notes, today or timezone.localdate(), correction)
    finally:
        if was_enabled:
            gc.enable()


def _assess(notes: QuerySet[SessionNote], today: datetime.date, correction: bool) -> list[Assessment]:
    goal_links = SessionNote.goals_addressed.through.objects.filter(sessionnote_id=OuterRef("pk"))
    notes = list(notes.annotate(documents_goal=Exists(goal_links)).order_by("date", "start_time", "pk"))
    if not notes:
        return []
    group_sizes = _share_related(notes)
    participant_ids = {n.participant_id for n in notes}

    enrollments, coverages, consents = (defaultdict(list) for _ in range(3))
    for e in Enrollment.objects.filter(participant_id__in=participant_ids).select_related("program"):
        enrollments[e.participant_id].append(e)
    for c in Coverage.objects.filter(participant_id__in=participant_ids).select_related("payer"):
        coverages[c.participant_id].append(c)
    for c in Consent.objects.filter(participant_id__in=participant_ids, kind=Consent.Kind.PART2_DISCLOSURE):
        consents[c.participant_id].append(c)
    certified = certification_types_on((n.author_id, n.date) for n in notes)
    overlapping = _overlapping(notes)
    # A note bills with the code of its coverage's billing program, its service and its kind.
    codes = {
        (code.billing_program, code.service, code.kind): code
        for code in ServiceCode.objects.filter(is_active=True)
        .select_related("combined_daily_cap")
        # A list, not a manager: each note's code.rates.all() built a queryset (a sixth of the time).
        .prefetch_related(Prefetch("rates", queryset=Rate.objects.all(), to_attr="rate_list"))
    }
    funding = defaultdict(list)
    for source in FundingSource.objects.all():
        funding[source.program_id].append(source)
    # What other insurance decided before Medicaid (billing/coordination.py), one query.
    adjudications = {
        adjudication.note_id: adjudication
        for adjudication in PrimaryAdjudication.objects.filter(
            note__in=[n.pk for n in notes], is_current=True
        ).select_related("coverage__payer")
    }

    results = []
    for note in notes:
        a = Assessment(note=note, assessed_on=today, correction=correction, adjudication=adjudications.get(note.pk))
        _check(a, note, today, enrollments, coverages, consents, certified, codes, funding, group_sizes)
        if overlapping[note.pk] and a.status != GRANT:
            a.duplicates = overlapping[note.pk]
            for other in a.duplicates:
                a.hold(
                    f"Possible duplicate service: {other.author}'s note for {note.participant} from "
                    f"{time_text(other.start_time)} to {time_text(other.end_time)} overlaps this one. "
                    "Decide which one is billed.",
                    kind="duplicate",
                )
        results.append(a)
    # Caps and authorizations, in date order, for the notes every other rule lets through.
    consuming = [a for a in results if a.code and not a.reasons and a.status != GRANT]
    ledger = CapLedger(consuming, list(codes.values()))
    for a in consuming:
        ledger.consume(a)
    for a in results:
        if a.status != GRANT:
            a.status = HOLD if a.reasons else READY
    return results


def _check(a, note, today, enrollments, coverages, consents, certified, codes, funding, group_sizes) -> None:
    day, participant = note.date, note.participant
    active = [e for e in enrollments[note.participant_id] if e.in_force_on(day)]
    if not active:
        a.hold(f"Not enrolled in any program on {day_text(day)}.", a.participant_url + "#enrollment", kind="enrollment")
        return
    a.program = active[0].program
    kind = ServiceCode.Kind.GROUP if note.group_id else ServiceCode.Kind.INDIVIDUAL
    covering = sorted((c for c in coverages[note.participant_id] if c.in_force_on(day)), key=lambda c: c.payment_order)
    if not covering:
        grant = next((s for e in active for s in funding[e.program_id] if s.in_force_on(day)), None)
        if grant is not None:
            a.status, a.funding = GRANT, grant
            return
        a.hold(
            f"No coverage on {day_text(day)} and no grant funds {a.program} then.",
            a.participant_url + "#coverage",
            kind="coverage",
        )
        return
    if not _choose_coverage(a, covering, kind, codes):
        return
    code, payer = a.code, a.coverage.payer
    if a.coverage.reported_inactive_on(day):
        # The payer's last 271 said inactive on or before this day: held until the coverage is
        # corrected or a later 271 says active (the coverage's eligibility fields).
        a.hold(
            f"{payer} reported this coverage inactive on {day_text(a.coverage.eligibility_checked_on)} "
            "(271). Update the coverage or check again.",
            a.participant_url + "#coverage",
            kind="eligibility",
        )

    age = participant.age_on(day)
    if code.minimum_age and age < code.minimum_age:
        a.hold(
            f"Under {code.minimum_age} on {day_text(day)}: {code.get_billing_program_display()} serves ages "
            f"{code.ages}.",
            a.participant_url,
            kind="age",
        )
    if code.maximum_age is not None and age > code.maximum_age:
        a.hold(
            f"{age} on {day_text(day)}: {code.get_billing_program_display()} serves ages {code.ages}.",
            a.participant_url,
            kind="age",
        )
    if code.requires_certified_peer:
        _check_certification(a, code, certified[(note.author_id, day)])
    profile = getattr(note.author, "staff_profile", None)
    if payer.requires_rendering_provider and not (profile and profile.npi):
        a.hold(
            f"{note.author} has no NPI; {payer} requires the rendering provider.",
            reverse("programs:profile_detail", args=[profile.pk]) if profile else "",
            kind="npi",
            staff_profile_id=profile.pk if profile else None,
            fixed_by="a program admin",
        )
    if kind == ServiceCode.Kind.GROUP and group_sizes[note.group_id] > code.max_group_size:
        a.hold(f"The group had more than {code.max_group_size} attendees.", kind="group")
    if not note.documents_goal:
        # Medicaid pays for services of the person's plan: the person-centered service plan of
        # 1915(i) (42 CFR 441.725) and 1915(c) (42 CFR 441.301(b)(1)(i)). No source found for
        # the state plan benefit; the conservative reading holds its notes the same way.
        a.hold(
            "The note names no recovery-plan goal: a billable peer support note documents the goal it served.",
            reverse("notes:note_detail", args=[note.pk]),
            kind="goal",
        )
    a.units = code.units_for(note.duration_minutes or 0)
    if a.units == 0:
        a.hold(
            f"{note.duration_minutes} minutes is less than one billable unit of {code.unit_minutes} minutes.",
            kind="units",
        )
    rate = next((r for r in code.rate_list if r.in_force_on(day)), None)
    if rate is None:
        a.hold(
            f"No rate for {code.hcpcs} on {day_text(day)}.",
            reverse("admin:billing_rate_changelist"),
            kind="code",
            for_roles=ADMIN_ONLY,
            fixed_by="a program admin",
        )
    else:
        a.rate = rate.rate_per_unit
    if _needs_part2_consent(participant, active) and not any(
        c.recipient_payer_id == a.coverage.payer_id and c.in_force_on(day) for c in consents[note.participant_id]
    ):
        # Consents are clinical: billing staff don't see them (minimum necessary), so they ask.
        a.hold(
            f"No current 42 CFR Part 2 consent to disclose to {payer}.",
            a.participant_url + "#consents",
            kind="consent",
            for_roles=ADMIN_ONLY,
            fixed_by="the participant's peer specialist",
        )
    if not (participant.address_line1 and participant.city and participant.state and participant.zip_code):
        a.hold(
            "The participant's address is incomplete; the claim needs street, city, state and ZIP.",
            a.participant_url,
            kind="address",
        )
    days_old = (today - day).days
    if days_old > payer.timely_filing_days and not a.correction:
        a.hold(
            f"Past {payer}'s {payer.timely_filing_days}-day filing limit ({days_old} days old).",
            kind="filing_limit",
        )
    if mismatch := place_mismatch(note.modality, note.place_of_service):
        note_url = reverse("notes:note_detail", args=[note.pk])
        a.hold(f"{mismatch} Correct it with the note's author.", note_url, kind="place")
    if a.other_coverage is not None:
        check_secondary(a)
    modifiers = list(code.modifier_list)
    if kind == ServiceCode.Kind.GROUP and "HQ" not in modifiers:
        modifiers.append("HQ")
    if note.modality in TELEHEALTH_MODIFIER:
        modifiers.append(TELEHEALTH_MODIFIER[note.modality])
    a.modifiers = modifiers[:4]


def _check_certification(a, code: ServiceCode, held: frozenset) -> None:
    """The author held, on the date of service, a certification of a type the program accepts
    for this code (its source is in the code's reference data)."""
    accepted = set(code.certification_types)
    if held and (not accepted or held & accepted):
        return
    note = a.note
    profile = getattr(note.author, "staff_profile", None)
    url = reverse("programs:profile_detail", args=[profile.pk]) if profile else ""
    # Certifications are kept on the staff profile, which billing staff may not open.
    about = {"kind": "certification", "fixed_by": "a program admin", "staff_profile_id": getattr(profile, "pk", None)}
    if not held:
        a.hold(f"{note.author} had no valid peer certification on {day_text(note.date)}.", url, **about)
        return
    labels = dict(Certification.Type.choices)
    names = " or ".join(labels[t] for t in code.certification_types)
    a.hold(
        f"{note.author} held no certification {code.get_billing_program_display()} accepts for {code.hcpcs} "
        f"on {day_text(note.date)}: it takes a {names}.",
        url,
        **about,
    )


def _needs_part2_consent(participant, enrollments) -> bool:
    """Disclosing to the payer needs a written Part 2 consent (42 CFR 2.31, 2.33) whenever the
    claim would carry a substance-use diagnosis (claims carry every diagnosis of the
    participant) or the service comes from a Part 2 program."""
    return any(SUBSTANCE_USE_DIAGNOSIS.match(code) for code in participant.diagnosis_codes) or any(
        e.program.population in PART2_POPULATIONS for e in enrollments
    )


def _choose_coverage(a, covering: list[Coverage], kind: str, codes: dict) -> bool:
    """The coverage that bills the note: the first Medicaid coverage in payment order whose
    billing program has a code for the note's service and this kind of session, as secondary
    when other insurance comes first (`secondary.coordinate`). Held when two Medicaid coverages with codes
    rank the same. False: nothing to bill."""
    day = a.note.date
    coordinate(a, covering)
    medicaid = [c for c in covering if c.kind == Coverage.Kind.MEDICAID]
    if not medicaid:
        return False
    service = a.note.service
    with_code = [c for c in medicaid if codes.get((c.billing_program, service, kind))]
    if not with_code:
        names = ", ".join(c.get_billing_program_display() for c in medicaid)
        a.hold(
            f"No active service code for {a.note.get_service_display().lower()} in {kind} sessions under {names}: "
            "it can't be billed there until a program admin enters one.",
            reverse("admin:billing_servicecode_changelist"),
            kind="code",
            for_roles=ADMIN_ONLY,
            fixed_by="a program admin",
        )
        return False
    if len(with_code) > 1 and with_code[0].rank == with_code[1].rank:
        names = " and ".join(c.get_billing_program_display() for c in with_code if c.rank == with_code[0].rank)
        a.hold(
            f"Two Medicaid coverages on {day_text(day)} rank the same ({names}): choose which one is primary.",
            a.participant_url + "#coverage",
            kind="coverage",
        )
        return False
    a.coverage, a.code = with_code[0], codes[(with_code[0].billing_program, service, kind)]
    return True
