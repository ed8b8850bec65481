"""A batch's claims and lines as the 837P and the CSV write them, read as values() rows.

A payer-month runs to 10,000 claims and 14,400 lines: read as model objects, with their
participants, adjudications and adjustments, building the objects took longer than writing the
file. Here each table is read once, whatever the batch's size, and each claim and line is a plain
namespace carrying the same attribute names the writers used on the models (claim.participant,
claim.lines, line.primary_adjudication.adjustments...). The few people and payers the messages
name (rendering providers, other payers, the notes' authors) are loaded as model objects, once
each, so the writers say what they always said of them.
"""

from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db.models import Subquery

from programs.models import Payer, StaffProfile

from .models import Claim, ClaimLine, PrimaryAdjustment
from .models.claims import claim_number

_PARTICIPANT = (
    "last_name",
    "first_name",
    "address_line1",
    "city",
    "state",
    "zip_code",
    "date_of_birth",
    "sex_for_claims",
)
_ADJUDICATION = ("coverage_id", "claim_number", "filing_indicator", "paid", "adjudicated_on")
_LINE = ("hcpcs", "modifiers", "units", "charge", "place_of_service", "service_date", "diagnosis_pointer", "voided")


def claim_rows(batch) -> list[SimpleNamespace]:
    """The batch's claims in claim order, each with its lines in date order (Claim's and
    ClaimLine's orderings), in six queries."""
    rows = Claim.objects.filter(batch=batch).order_by("pk").values(
        "pk", "frequency", "member_id", "billing_program", "diagnosis_codes", "participant_id",
        "original_id", "original__payer_claim_number", "authorization_id", "authorization__number",
        "other_coverage_id", "other_coverage__member_id", "other_coverage__payer_id", "rendering_provider_id",
        *(f"participant__{name}" for name in _PARTICIPANT),
    )  # fmt: skip
    claims, people = [], {}
    for row in rows:
        person = people.get(row["participant_id"])
        if person is None:
            person = people[row["participant_id"]] = SimpleNamespace(
                pk=row["participant_id"], **{name: row[f"participant__{name}"] for name in _PARTICIPANT}
            )
        claims.append(_claim(row, person))
    if not claims:
        return claims
    _attach_people_and_payers(claims)
    _attach_lines(batch, {claim.pk: claim for claim in claims})
    return claims


def _claim(row: dict, person: SimpleNamespace) -> SimpleNamespace:
    original = None
    if row["original_id"]:
        original = SimpleNamespace(
            claim_number=claim_number(row["original_id"]), payer_claim_number=row["original__payer_claim_number"]
        )
    other = None
    if row["other_coverage_id"]:
        other = SimpleNamespace(member_id=row["other_coverage__member_id"], payer_id=row["other_coverage__payer_id"])
    return SimpleNamespace(
        pk=row["pk"],
        claim_number=claim_number(row["pk"]),
        frequency=row["frequency"],
        member_id=row["member_id"],
        billing_program=row["billing_program"],
        diagnosis_codes=row["diagnosis_codes"],
        participant=person,
        original_id=row["original_id"],
        original=original,
        authorization_id=row["authorization_id"],
        authorization=SimpleNamespace(number=row["authorization__number"]) if row["authorization_id"] else None,
        other_coverage_id=row["other_coverage_id"],
        other_coverage=other,
        rendering_provider_id=row["rendering_provider_id"],
        rendering_provider=None,
        lines=[],
    )


def _attach_people_and_payers(claims: list[SimpleNamespace]) -> None:
    """Rendering providers (with their users) and other payers: a handful per batch, one query each."""
    profile_ids = {c.rendering_provider_id for c in claims if c.rendering_provider_id}
    profiles = StaffProfile.objects.select_related("user").in_bulk(profile_ids) if profile_ids else {}
    payer_ids = {c.other_coverage.payer_id for c in claims if c.other_coverage}
    payers = Payer.objects.in_bulk(payer_ids) if payer_ids else {}
    for claim in claims:
        claim.rendering_provider = profiles.get(claim.rendering_provider_id)
        if claim.other_coverage:
            claim.other_coverage.payer = payers[claim.other_coverage.payer_id]


def _attach_lines(batch, claims: dict[int, SimpleNamespace]) -> None:
    """Each line with the adjudication version it was billed with (ClaimLine.primary_adjudication)
    and that version's adjustments in their order, and its note's author (the CSV names them)."""
    lines = (
        ClaimLine.objects.filter(claim__batch=batch)
        .order_by("claim_id", "service_date", "pk")
        .values_list(
            "claim_id", "note__author_id", "primary_adjudication_id", *_LINE,
            *(f"primary_adjudication__{name}" for name in _ADJUDICATION),
        )
    )  # fmt: skip
    adjustments: dict[int, list] = {}
    billed_with = ClaimLine.objects.filter(claim__batch=batch, primary_adjudication__isnull=False)
    for adjudication_id, group, reason, amount in (
        PrimaryAdjustment.objects.filter(adjudication__in=Subquery(billed_with.values("primary_adjudication_id")))
        .order_by("adjudication_id", "position")
        .values_list("adjudication_id", "group", "reason", "amount")
    ):
        adjustments.setdefault(adjudication_id, []).append(SimpleNamespace(group=group, reason=reason, amount=amount))
    adjudications: dict[int, SimpleNamespace] = {}
    author_ids = set()
    fields = len(_LINE)
    for claim_id, author_id, adjudication_id, *values in lines:
        line = SimpleNamespace(author_id=author_id, primary_adjudication_id=adjudication_id, primary_adjudication=None)
        line.__dict__.update(zip(_LINE, values[:fields], strict=True))
        if adjudication_id:
            adjudication = adjudications.get(adjudication_id)
            if adjudication is None:
                adjudication = adjudications[adjudication_id] = SimpleNamespace(
                    pk=adjudication_id,
                    adjustments=adjustments.get(adjudication_id, []),
                    **dict(zip(_ADJUDICATION, values[fields:], strict=True)),
                )
            line.primary_adjudication = adjudication
        author_ids.add(author_id)
        claims[claim_id].lines.append(line)
    names = {pk: user.get_full_name() for pk, user in get_user_model().objects.in_bulk(author_ids).items()}
    for claim in claims.values():
        for line in claim.lines:
            line.author_name = names[line.author_id]
