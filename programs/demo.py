"""Demo data for `seed_demo`: the agency, its programs, the demo sign-ins and a peer
workforce in varied certification states. Get-or-create throughout: a second run changes nothing.
"""

import datetime
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.roles import Role
from accounts.services import invitee_user
from audit.context import AuditContext

from . import scans, services
from .models import Agency, Certification, Program, StaffProfile, SupervisionSession, TrainingRecord

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105  (printed by `make run`; demo data only)

PROGRAMS = [
    ("Peer Bridger", Program.Kind.PEER_BRIDGER, Program.Population.MENTAL_HEALTH, 20, 7),
    ("ED Recovery Coaching", Program.Kind.ED_RECOVERY_COACHING, Program.Population.SUBSTANCE_USE, 30, 14),
    (
        "Community Mental Health Peer Support",
        Program.Kind.COMMUNITY_MENTAL_HEALTH,
        Program.Population.CO_OCCURRING,
        25,
        14,
    ),
]

# email, first name, last name, role, supervisor's email
DEMO_STAFF = [
    ("admin@example.org", "Alma", "Reyes", Role.PROGRAM_ADMIN, None),
    ("supervisor@example.org", "Sam", "Okafor", Role.SUPERVISOR, None),
    ("peer@example.org", "Pat", "Nguyen", Role.PEER_SPECIALIST, "supervisor@example.org"),
    ("peer2@example.org", "Jordan", "Lee", Role.PEER_SPECIALIST, "supervisor@example.org"),
    ("billing@example.org", "Bea", "Castillo", Role.BILLING, None),
]

# More specialists (no sign-in printed): name, supervisor, certification expiry in days
# from today (None = no certification), so the workforce page shows every status.
MORE_PEERS = [
    ("Dana", "Whitfield", "supervisor@example.org", 400),
    ("Luis", "Ortega", "supervisor@example.org", 45),
    ("Grace", "Hollis", "supervisor2@example.org", 20),
    ("Imani", "Carter", "supervisor2@example.org", 5),
    ("Rosa", "Delgado", "supervisor2@example.org", -10),
    ("Theo", "Marsh", "supervisor2@example.org", None),
    ("Wen", "Zhao", "supervisor@example.org", 700),
    ("Kofi", "Mensah", "supervisor2@example.org", 250),
]
# Demo expiries of the two signed-in peers: peer@ valid, peer2@ expiring soon.
SIGNED_IN_PEER_EXPIRY = {"peer@example.org": 300, "peer2@example.org": 40}
# Made-up NPIs with valid check digits, one per specialist (a payer may require the rendering
# provider). Kofi Mensah has none, so the billing work page shows that hold.
DEMO_NPIS = {
    "peer@example.org": "1234567802",
    "peer2@example.org": "1234567810",
    "dana.whitfield@example.org": "1234567828",
    "luis.ortega@example.org": "1234567836",
    "grace.hollis@example.org": "1234567844",
    "imani.carter@example.org": "1234567851",
    "rosa.delgado@example.org": "1234567869",
    "theo.marsh@example.org": "1234567877",
    "wen.zhao@example.org": "1234567885",
}


def _demo_user(email: str, first_name: str, last_name: str, role: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name)
    user.groups.add(Group.objects.get(name=role))
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _workforce_records(profile: StaffProfile, expiry_days: int | None, index: int, today: datetime.date) -> None:
    if profile.certifications.exists() or expiry_days is None:
        return
    expires = today + datetime.timedelta(days=expiry_days)
    Certification.objects.create(
        profile=profile,
        type=Certification.Type.TX_MHPS if index % 2 else Certification.Type.TX_RSPS,
        number=f"TX-{48000 + index}",
        issuing_body="Texas Certification Board",
        issued_on=min(today - datetime.timedelta(days=200), expires - datetime.timedelta(days=730)),
        expires_on=expires,
    )
    TrainingRecord.objects.create(
        profile=profile,
        course="Peer specialist core training",
        kind=TrainingRecord.Kind.INITIAL,
        hours=Decimal(80),
        completed_on=expires - datetime.timedelta(days=760),
    )
    for n in range(index % 4 + 1):
        TrainingRecord.objects.create(
            profile=profile,
            course=["Motivational interviewing", "Trauma-informed care", "Ethics for peers", "Suicide prevention"][n],
            hours=Decimal(4 + n),
            completed_on=min(today, today.replace(month=1, day=10) + datetime.timedelta(days=30 * n)),
        )
    for weeks_ago in range(0, 8, 2):
        day = today - datetime.timedelta(weeks=weeks_ago)
        SupervisionSession.objects.create(
            supervisor=profile.supervisor,
            supervisee=profile,
            date=day,
            minutes=60 if weeks_ago % 4 == 0 else 30,
            format=SupervisionSession.Format.INDIVIDUAL,
            topics="Caseload review; boundaries; self-care",
        )


def seed() -> Agency:
    today = timezone.localdate()
    agency, _ = Agency.objects.get_or_create(name="Riverbend Behavioral Health")
    programs = []
    for name, kind, population, target, frequency in PROGRAMS:
        program, _ = Program.objects.get_or_create(
            agency=agency,
            name=name,
            defaults={
                "kind": kind,
                "population": population,
                "target_caseload": target,
                "contact_frequency_days": frequency,
            },
        )
        programs.append(program)

    users = {email: _demo_user(email, first, last, role) for email, first, last, role, _ in DEMO_STAFF}
    users["supervisor2@example.org"] = _demo_user("supervisor2@example.org", "Mira", "Banerjee", Role.SUPERVISOR)
    for email, *_rest, supervisor_email in DEMO_STAFF:
        StaffProfile.objects.get_or_create(
            user=users[email],
            defaults={"agency": agency, "supervisor": users.get(supervisor_email), "npi": DEMO_NPIS.get(email, "")},
        )
    StaffProfile.objects.get_or_create(user=users["supervisor2@example.org"], defaults={"agency": agency})

    peers = [(users[email], days) for email, days in SIGNED_IN_PEER_EXPIRY.items()]
    for first, last, supervisor_email, days in MORE_PEERS:
        email = f"{first}.{last}@example.org".lower()
        user = _demo_user(email, first, last, Role.PEER_SPECIALIST)
        StaffProfile.objects.get_or_create(
            user=user,
            # Wen Zhao's notes are final when signed, to show a specialist without co-signature.
            defaults={
                "agency": agency,
                "supervisor": users[supervisor_email],
                "requires_cosignature": last != "Zhao",
                "npi": DEMO_NPIS.get(email, ""),
            },
        )
        peers.append((user, days))
    for index, (user, days) in enumerate(peers):
        profile = user.staff_profile
        if not profile.programs.exists():
            profile.programs.add(programs[index % len(programs)])
        _workforce_records(profile, days, index, today)
    # A supervisor oversees the programs their supervisees work in, so the demo supervisors'
    # outcome dashboards have programs to show.
    for email in ("supervisor@example.org", "supervisor2@example.org"):
        profile = users[email].staff_profile
        if not profile.programs.exists():
            profile.programs.add(*Program.objects.filter(staff__supervisor=users[email]).distinct())
    # Jordan Lee serves the demo's Connecticut waiver participants, which takes an RSS.
    Certification.objects.get_or_create(
        profile=users["peer2@example.org"].staff_profile,
        type=Certification.Type.CT_RSS,
        defaults={
            "number": "CT-RSS-2211",
            "issuing_body": "Advocacy Unlimited",
            "issued_on": today - datetime.timedelta(days=300),
            "expires_on": today + datetime.timedelta(days=35),  # peer2@ stays "expiring soon"
        },
    )
    _demo_scans(users["peer2@example.org"].staff_profile.certifications.get(type=Certification.Type.CT_RSS))
    _invited_peer(agency, invited_by=users["admin@example.org"], supervisor=users["supervisor@example.org"])
    return agency


def _demo_scans(certification: Certification) -> None:
    """Jordan Lee's RSS card, photographed and then replaced by a PDF: the photo is kept."""
    if certification.scan:
        return
    ctx = AuditContext(actor=certification.profile.user, user_agent="seed_demo")
    for content in (b"\x89PNG\r\n\x1a\n demo photo", b"%PDF-1.4\n demo scan"):
        services.certification_scan_replace(
            certification=certification, upload=ContentFile(content), scan_type=scans.sniff(content), ctx=ctx
        )


def _invited_peer(agency: Agency, *, invited_by: User, supervisor: User) -> None:
    """A specialist invited and not yet there: the workforce shows them as invited, with their
    profile set up (inactive until they accept; no email is sent by the seed)."""
    email = "nia.brooks@example.org"
    if User.objects.filter(email=email).exists():
        return
    Invitation.objects.create(
        email=email, first_name="Nia", last_name="Brooks", role=Role.PEER_SPECIALIST, invited_by=invited_by
    )
    user = invitee_user(email=email, first_name="Nia", last_name="Brooks")
    user.groups.add(Group.objects.get(name=Role.PEER_SPECIALIST))
    profile = StaffProfile.objects.create(user=user, agency=agency, supervisor=supervisor, is_active=False)
    profile.programs.add(*Program.objects.filter(agency=agency, name="Peer Bridger"))


def sign_ins() -> list[tuple[str, str]]:
    return [(email, role.label) for email, _first, _last, role, _sup in DEMO_STAFF]
