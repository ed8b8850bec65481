"""What assessing a note for billing finds: ready, on hold (with every reason, each of a kind
and saying who can fix it) or grant-funded. billability.py decides; this is the record."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from accounts.roles import Role
from audit.links import url_for
from notes.models import SessionNote
from participants.models import Coverage
from programs.models import Program

from .models import Authorization, FundingSource, PrimaryAdjudication, ServiceCode

READY, HOLD, GRANT = "ready", "hold", "grant"
# Ready notes this close to the payer's filing limit are flagged and listed first.
FILING_WARNING_DAYS = 30

# Every hold reason has a kind, so the work page can count and filter holds by it.
HOLD_KINDS = {
    "enrollment": "Not enrolled",
    "coverage": "Coverage",
    "eligibility": "Reported inactive (271)",
    "primary": "Other insurance pays first",
    "code": "No service code or rate",
    "age": "Age outside the program",
    "certification": "Certification",
    "npi": "Rendering provider's NPI",
    "group": "Group size",
    "goal": "No plan goal",
    "units": "Less than a unit",
    "consent": "Part 2 consent",
    "address": "Address",
    "filing_limit": "Past the filing limit",
    "place": "Place of service",
    "duplicate": "Possible duplicate service",
    "cap": "Cap used up",
    "authorization": "Authorization",
}
# These can't be fixed any more: the note can no longer be billed (a first claim).
UNFIXABLE_KINDS = frozenset({"filing_limit"})
ADMIN_ONLY = (Role.PROGRAM_ADMIN,)  # links into the Django admin, and to consents (clinical)


@dataclass
class Reason:
    text: str
    fix_url: str = ""
    kind: str = "other"
    # When fix_url is a staff profile, which only some viewers may open: the profile, and who to
    # ask otherwise (`selectors.limit_fix_links` applies it for the viewer).
    staff_profile_id: int | None = None
    # Roles that may open fix_url, when not every billing viewer may; others are told fixed_by.
    for_roles: tuple = ()
    fixed_by: str = ""
    # The words of the fix link, when "Fix this" would not say what to do.
    fix_label: str = ""


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
    authorization: Authorization | None = None
    # Assessed for a replacement claim: the payer's correction limit applies (checked by
    # corrections.claim_correct), not the filing limit of a first claim.
    correction: bool = False
    assessed_on: datetime.date | None = None
    cap_note: str = ""
    duplicates: list[SessionNote] = field(default_factory=list)
    # The other insurance's adjudication on file for the note (billing/coordination.py), and, when
    # the note bills Medicaid as secondary to it, that other insurance (`coverage` is Medicaid's).
    adjudication: PrimaryAdjudication | None = None
    other_coverage: Coverage | None = None

    @property
    def amount(self) -> Decimal:
        return (self.rate or Decimal(0)) * self.units

    @property
    def secondary_key(self) -> tuple | None:
        """Notes billed as secondary share a claim only when one other payer adjudicated them on
        one claim of its own, under one filing indicator: loops 2320 and 2330B carry one other
        payer, its SBR09 and its claim number (REF*F8) per claim. None for a first-payer note."""
        if self.other_coverage is None:
            return None
        return (self.other_coverage.pk, self.adjudication.claim_number, self.adjudication.filing_indicator)

    @property
    def payer(self):
        return self.coverage.payer if self.coverage else None

    @property
    def participant_url(self) -> str:
        return url_for("participants:detail", self.note.participant_id)

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

    def hold(self, text: str, fix_url: str = "", **about) -> None:
        self.reasons.append(Reason(text, fix_url, **about))

    @property
    def fixable(self) -> bool:
        """A hold that can still be fixed and billed (not past the filing limit)."""
        return not any(r.kind in UNFIXABLE_KINDS for r in self.reasons)
