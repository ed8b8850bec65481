"""Demo billing data for `seed_demo`: the agency's billing identity, a grant, some
authorizations, a few gaps in coverage, one exported batch with the payer's 835 posted (a
denial, a partial payment, an unmatched line), and a 271 reporting one coverage inactive. Runs once. With the demo
participants and notes it shows ready notes and the hold reasons (peersupport/tests/test_demo.py)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.context import AuditContext
from participants.models import Coverage, Participant
from programs.models import Agency, Payer, Program

from . import services
from .assessment import READY
from .billability import assess, billable_notes
from .eligibility import inquiry as eligibility_inquiry
from .eligibility import simulate as eligibility_simulate
from .eligibility.importing import response_import
from .models import (
    Authorization,
    BillingIdentity,
    ClaimBatch,
    EligibilityInquiry,
    FundingSource,
    ServiceCode,
)
from .remittance.importing import remittance_import
from .remittance.simulate import deny, pay, remittance_835

# Where each demo payer's claims go (made-up EDI IDs, in test mode) and whether it takes the
# rendering provider: Texas required (so the demo shows loop 2310B and the NPI hold);
# Connecticut not sent, the conservative reading while no source says it wants one.
DEMO_PAYER_SETTINGS = {
    "Texas Medicaid": {
        "receiver_id": "TXDEMOEDI",
        "receiver_name": "Texas Medicaid Demo EDI",
        "usage": Payer.Usage.TEST,
        "rendering_provider": Payer.RenderingProvider.REQUIRED,
    },
    "Connecticut Medicaid": {
        "receiver_id": "CTDEMOEDI",
        "receiver_name": "Connecticut Medicaid Demo EDI",
        "usage": Payer.Usage.TEST,
        "rendering_provider": Payer.RenderingProvider.NOT_SENT,
    },
}


def seed(agency: Agency) -> None:
    if ClaimBatch.objects.exists():
        return
    today = timezone.localdate()
    for name, settings in DEMO_PAYER_SETTINGS.items():
        Payer.objects.filter(name=name).update(**settings)
    BillingIdentity.objects.get_or_create(
        agency=agency,
        defaults={
            "legal_name": agency.name,
            "npi": "1234567893",
            "tax_id": "74-1234567",
            "address_line1": "100 Congress Ave",
            "city": "Austin",
            "state": "TX",
            "zip_code": "78701-1234",
            "contact_name": "Bea Castillo",
            "contact_phone": "5125550100",
            "submitter_id": "RIVERBEND01",
        },
    )
    community = Program.objects.filter(agency=agency, kind=Program.Kind.COMMUNITY_MENTAL_HEALTH).first()
    if community:
        FundingSource.objects.get_or_create(
            program=community,
            name="Mental Health Block Grant FY2026",
            defaults={"kind": FundingSource.Kind.BLOCK_GRANT, "start_date": today - datetime.timedelta(days=400)},
        )
        # Three people whose Medicaid began only last month: earlier sessions fall to the grant.
        for participant in Participant.objects.filter(enrollments__program=community).distinct()[:3]:
            Coverage.objects.filter(participant=participant).update(start_date=today - datetime.timedelta(days=30))
    # The CT waiver and TX HCBS-AMH need authorizations: half of those participants have one.
    for billing_program, prefix, units in [("ct_1915c_mhw", "CT", 40), ("tx_1915i_amh", "AMH", 60)]:
        code = ServiceCode.objects.filter(
            billing_program=billing_program, service="peer_support", kind="individual", is_active=True
        ).first()
        people = Participant.objects.filter(coverages__billing_program=billing_program).distinct().order_by("pk")
        for n, participant in enumerate(people):
            if code and n % 2 == 0:
                Authorization.objects.create(
                    participant=participant,
                    service_code=code,
                    number=f"{prefix}-{7000 + n}",
                    units_authorized=units,
                    start_date=today - datetime.timedelta(days=180),
                    end_date=today + datetime.timedelta(days=180),
                )
    # One exported batch: last month's ready notes for the Texas payer.
    clerk = User.objects.filter(groups__name=Role.BILLING).order_by("pk").first()
    month_ago = today - datetime.timedelta(days=45)
    ready = [
        a
        for a in assess(billable_notes().filter(date__gte=month_ago, date__lt=month_ago + datetime.timedelta(days=10)))
        if a.status == READY
    ]
    by_payer = {}
    for a in ready:
        by_payer.setdefault(a.payer, []).append(a.note.pk)
    if clerk and by_payer:
        payer, note_ids = max(by_payer.items(), key=lambda item: len(item[1]))
        ctx = AuditContext.for_command(clerk, "seed_demo")
        batch = services.batch_build(payer=payer, note_ids=note_ids, ctx=ctx)
        batch = services.batch_export(batch=batch, ctx=ctx)
        services.batch_download(batch=batch, fmt="837p", ctx=ctx)  # sent: each person's accounting lists it
        _remittance(batch, ctx)
        _eligibility(ctx, today)


def _remittance(batch: ClaimBatch, ctx: AuditContext) -> None:
    """The payer's 835 for the demo batch, imported: most claims paid, one denied (CO-16, for the
    denial queue), one partly paid (CO-119), and one line the payer reports under another code
    (for the unmatched list)."""
    claims = [list(claim.lines.order_by("pk")) for claim in batch.claims.order_by("pk")]
    if len(claims) < 3:
        return
    denied, partly, elsewhere = claims[:3]
    decisions = {line: deny(("CO", "16", None)) for line in denied}
    decisions[partly[0]] = pay((partly[0].charge / 2).quantize(Decimal("0.01")), ("CO", "119", None))
    decisions[elsewhere[0]] = pay(code="H2014")
    text = remittance_835(batch, decisions=decisions, trace="DEMO-EFT-0001")
    remittance_import(text=text, file_name="demo-remittance.835", ctx=ctx)


def _eligibility(ctx: AuditContext, today: datetime.date) -> None:
    """A 270 about the demo peer's participants, answered: the first one's Medicaid reported
    inactive, so the flag shows on the participant page and Pat's caseload."""
    coverages = Coverage.objects.filter(
        kind=Coverage.Kind.MEDICAID,
        participant__assignments__specialist__email="peer@example.org",
        participant__assignments__ended_on__isnull=True,
    ).order_by("participant_id")
    ids = list(coverages.values_list("pk", flat=True).distinct()[:3])
    if not ids:
        return
    for inquiry in eligibility_inquiry.inquiry_create(
        scope=EligibilityInquiry.Scope.CHOSEN, coverage_ids=ids, ctx=ctx, today=today
    ):
        text = eligibility_simulate.answer(inquiry, overrides={ids[0]: eligibility_simulate.inactive})
        response_import(text=text, file_name="demo-eligibility.271", ctx=ctx)
