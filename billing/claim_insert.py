"""Writing a build's claims and lines (services._claims): one INSERT ... SELECT from arrays per
table on PostgreSQL, the claims' ids returned in the same round trip.

bulk_create turned each of a payer-month's 25,000 objects into SQL parameters field by field
(about 400,000 calls to prepare a value): a second and a half of the build, longer than
PostgreSQL took to insert the rows. Here each column is one array of plain values, which
psycopg2 adapts in C. Other databases (SQLite, development only) still use bulk_create."""

import json

from django.db import connection
from django.utils import timezone

from .models import Claim, ClaimLine

CLAIM_COLUMNS = (
    "participant_id", "billing_program", "member_id", "diagnosis_codes", "authorization_id",
    "other_coverage_id", "rendering_provider_id",
)  # fmt: skip
LINE_COLUMNS = (
    "claim_id", "note_id", "service_code_id", "hcpcs", "modifiers", "units", "charge",
    "place_of_service", "service_date", "primary_adjudication_id",
)  # fmt: skip
CLAIM_TYPES = ("bigint", "text", "text", "jsonb", "bigint", "bigint", "bigint")
LINE_TYPES = ("bigint", "bigint", "bigint", "text", "jsonb", "smallint", "numeric", "text", "date", "bigint")


def insert(batch_id: int, claims: list[dict], lines: list[list[dict]], *, frequency: str, original_id) -> None:
    """Insert `claims` (one dict of CLAIM_COLUMNS each) and, claim by claim, their `lines`
    (dicts of LINE_COLUMNS but the claim): the claims' ids ascend in the order given."""
    if connection.vendor != "postgresql":
        _bulk_create(batch_id, claims, lines, frequency=frequency, original_id=original_id)
        return
    claim_ids = _insert_claims(batch_id, claims, frequency=frequency, original_id=original_id)
    charge = ClaimLine._meta.get_field("charge")
    rows = [
        {**line, "claim_id": claim_id, "charge": charge.get_db_prep_save(line["charge"], connection)}
        for claim_id, claim_lines in zip(claim_ids, lines, strict=True)
        for line in claim_lines
    ]
    table = ClaimLine._meta.db_table
    sql = (
        f"INSERT INTO {table} ({', '.join(LINE_COLUMNS)}, diagnosis_pointer, voided, do_not_rebill, "  # noqa: S608 (names from the models)
        "void_reason, paid, allowed, adjusted, denied, written_off, denial_reason, claim_adjudicated_on) "
        f"SELECT {', '.join(LINE_COLUMNS)}, 1, false, false, '', 0, NULL, 0, 0, 0, '', NULL "
        f"FROM {_unnest(LINE_COLUMNS, LINE_TYPES)} ORDER BY n"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, _arrays(rows, LINE_COLUMNS))


def _insert_claims(batch_id: int, claims: list[dict], *, frequency: str, original_id) -> list[int]:
    table = Claim._meta.db_table
    sql = (
        f"INSERT INTO {table} (batch_id, frequency, original_id, created_at, payer_claim_number, status, "  # noqa: S608 (names from the models)
        f"status_detail, adjudicated_on, {', '.join(CLAIM_COLUMNS)}) "
        f"SELECT %s, %s, %s, %s, '', %s, '', NULL, {', '.join(CLAIM_COLUMNS)} "
        f"FROM {_unnest(CLAIM_COLUMNS, CLAIM_TYPES)} ORDER BY n RETURNING id"
    )
    params = [batch_id, frequency, original_id, timezone.now(), Claim.Status.BUILT, *_arrays(claims, CLAIM_COLUMNS)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # Sorted, as bulk_create's ids were: the claims are numbered (CLM01) in the order given.
        return sorted(row[0] for row in cursor.fetchall())


def _unnest(columns, types) -> str:
    arrays = ", ".join(f"%s::{'text' if t == 'jsonb' else t}[]" for t in types)
    names = ", ".join(f"{c}_" for c in columns)
    # jsonb columns travel as text (psycopg2 has no jsonb array adapter) and are cast per row.
    casts = ", ".join(
        f"{c}_::jsonb AS {c}" if t == "jsonb" else f"{c}_ AS {c}" for c, t in zip(columns, types, strict=True)
    )
    return f"(SELECT {casts}, n FROM unnest({arrays}) WITH ORDINALITY AS t({names}, n)) AS rows"  # noqa: S608 (names from the models)


def _arrays(rows: list[dict], columns) -> list[list]:
    return [[json.dumps(r[c]) if c in ("modifiers", "diagnosis_codes") else r[c] for r in rows] for c in columns]


def _bulk_create(batch_id: int, claims: list[dict], lines: list[list[dict]], *, frequency: str, original_id) -> None:
    made = Claim.objects.bulk_create(
        Claim(batch_id=batch_id, frequency=frequency, original_id=original_id, **claim) for claim in claims
    )
    ClaimLine.objects.bulk_create(
        ClaimLine(claim_id=claim.pk, **line)
        for claim, claim_lines in zip(made, lines, strict=True)
        for line in claim_lines
    )
