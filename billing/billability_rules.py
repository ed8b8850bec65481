"""The rules a note must meet to be billed (billability.assess), one note at a time: every
failure is kept, in words a billing clerk can act on, with a link to where it is fixed."""

import datetime
import re

from django.urls import reverse

from audit.links import url_for
from notes.models import Modality, place_mismatch
from participants.models import Coverage
from programs.models import Certification, Program

from .assessment import ADMIN_ONLY, GRANT
from .caps import day_text
from .models import ServiceCode
from .secondary import check_secondary, coordinate

# ICD-10-CM F10-F19: mental and behavioural disorders due to psychoactive substance use.
SUBSTANCE_USE_DIAGNOSIS = re.compile(r"^F1\d")
# A program that holds itself out as providing substance use disorder treatment is a Part 2
# program (42 CFR 2.11); a co-occurring program does, so it counts too (conservative reading).
PART2_POPULATIONS = (Program.Population.SUBSTANCE_USE, Program.Population.CO_OCCURRING)
TELEHEALTH_MODIFIER = {Modality.VIDEO: "95", Modality.PHONE: "93", Modality.AUDIO_ONLY: "93"}
_UNKNOWN = object()  # not in the memo yet (None is a value there: no rate)


def time_text(value: datetime.time) -> str:
    return value.strftime("%I:%M %p").lstrip("0")


def check(a, note, today: datetime.date, loaded) -> None:
    """Every rule but caps and duplicates (billability.assess), on `loaded` (billability_load.Loaded)."""
    # A note's foreign keys are read through descriptors: each once (issue 16).
    day, pid, author_id, group_id = note.date, note.participant_id, note.author_id, note.group_id
    participant = loaded.participants[pid]
    active = [e for first, last, e in loaded.enrollments[pid] if first <= day and (last is None or day <= last)]
    if not active:
        a.hold(f"Not enrolled in any program on {day_text(day)}.", a.participant_url + "#enrollment", kind="enrollment")
        return
    a.program = active[0].program
    kind = ServiceCode.Kind.GROUP if group_id else ServiceCode.Kind.INDIVIDUAL
    # In payment order (load).
    covering = [c for first, last, c in loaded.coverages[pid] if first <= day and (last is None or day <= last)]
    if not covering:
        funding = loaded.funding
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
    if not _choose_coverage(a, covering, kind, loaded.codes):
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
        _check_certification(a, code, loaded.certified[(author_id, day)])
    profile = loaded.profiles[author_id]
    if payer.requires_rendering_provider and not (profile and profile.npi):
        a.hold(
            f"{note.author} has no NPI; {payer} requires the rendering provider.",
            url_for("programs:profile_detail", profile.pk) if profile else "",
            kind="npi",
            staff_profile_id=profile.pk if profile else None,
            fixed_by="a program admin",
        )
    if kind == ServiceCode.Kind.GROUP and loaded.group_sizes[group_id] > code.max_group_size:
        a.hold(f"The group had more than {code.max_group_size} attendees.", kind="group")
    if not note.documents_goal:
        # Medicaid pays for services of the person's plan: the person-centered service plan of
        # 1915(i) (42 CFR 441.725) and 1915(c) (42 CFR 441.301(b)(1)(i)). No source found for
        # the state plan benefit; the conservative reading holds its notes the same way.
        a.hold(
            "The note names no recovery-plan goal: a billable peer support note documents the goal it served.",
            url_for("notes:note_detail", note.pk),
            kind="goal",
        )
    # Units, rate and modifiers follow from a few values many notes share: each worked out once.
    memo, code_id = loaded.memo, code.pk
    if (units := memo.get(key := ("units", code_id, note.start_time, note.end_time))) is None:
        minutes = note.duration_minutes
        units = memo[key] = (code.units_for(minutes or 0), minutes)
    a.units, minutes = units
    if a.units == 0:
        a.hold(f"{minutes} minutes is less than one billable unit of {code.unit_minutes} minutes.", kind="units")
    if (rate := memo.get(key := ("rate", code_id, day), _UNKNOWN)) is _UNKNOWN:
        rate = memo[key] = next((r for r in code.rate_list if r.in_force_on(day)), None)
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
    # Enrollments are looked at only for participants ever in a Part 2 program, and consents
    # are (recipient payer id, consent) pairs (load): read through descriptors, note by note,
    # they cost a tenth of the rules' time (issue 16).
    part2_enrollments = active if pid in loaded.part2_enrolled else ()
    if _needs_part2_consent(loaded.substance_use[pid], part2_enrollments) and not any(
        recipient == payer.id and c.in_force_on(day) for recipient, c in loaded.consents[pid]
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
        note_url = url_for("notes:note_detail", note.pk)
        a.hold(f"{mismatch} Correct it with the note's author.", note_url, kind="place")
    if a.other_coverage is not None:
        check_secondary(a)
    if (modifiers := memo.get(key := ("modifiers", code_id, kind, note.modality))) is None:
        modifiers = memo[key] = _modifiers(code, kind, note.modality)
    a.modifiers = list(modifiers)


def _modifiers(code: ServiceCode, kind: str, modality: str) -> tuple[str, ...]:
    """The claim line's modifiers: the code's, HQ for a group, the telehealth one; four at most."""
    modifiers = list(code.modifier_list)
    if kind == ServiceCode.Kind.GROUP and "HQ" not in modifiers:
        modifiers.append("HQ")
    if modality in TELEHEALTH_MODIFIER:
        modifiers.append(TELEHEALTH_MODIFIER[modality])
    return tuple(modifiers[:4])


def _check_certification(a, code: ServiceCode, held: frozenset) -> None:
    """The author held, on the date of service, a certification of a type the program accepts
    for this code (its source is in the code's reference data)."""
    accepted = set(code.certification_types)
    if held and (not accepted or held & accepted):
        return
    note = a.note
    profile = getattr(note.author, "staff_profile", None)
    url = url_for("programs:profile_detail", profile.pk) if profile else ""
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


def substance_use_diagnosed(participant) -> bool:
    """The participant has a substance-use diagnosis, which every claim for them carries."""
    return any(SUBSTANCE_USE_DIAGNOSIS.match(code) for code in participant.diagnosis_codes)


def _needs_part2_consent(diagnosed: bool, enrollments) -> bool:
    """Disclosing to the payer needs a written Part 2 consent (42 CFR 2.31, 2.33) whenever the
    claim would carry a substance-use diagnosis (claims carry every diagnosis of the
    participant: `substance_use_diagnosed`, once per participant) or the service comes from a
    Part 2 program."""
    return diagnosed or any(e.program.population in PART2_POPULATIONS for e in enrollments)


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
