"""Demo data for `seed_demo`: the agency, its programs and the demo sign-ins.

Everything here is get-or-create, so running it again changes nothing.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role

from .models import Agency, Program, StaffProfile

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105  (printed by `make run`; demo data only)

PROGRAM_NAMES = ["Peer Bridger", "ED Recovery Coaching", "Community Mental Health Peer Support"]

# email, first name, last name, role, supervisor's email
DEMO_STAFF = [
    ("admin@example.org", "Alma", "Reyes", Role.PROGRAM_ADMIN, None),
    ("supervisor@example.org", "Sam", "Okafor", Role.SUPERVISOR, None),
    ("peer@example.org", "Pat", "Nguyen", Role.PEER_SPECIALIST, "supervisor@example.org"),
    ("peer2@example.org", "Jordan", "Lee", Role.PEER_SPECIALIST, "supervisor@example.org"),
    ("billing@example.org", "Bea", "Castillo", Role.BILLING, None),
]


def _demo_user(email: str, first_name: str, last_name: str, role: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name)
    user.groups.add(Group.objects.get(name=role))
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def seed() -> Agency:
    agency, _ = Agency.objects.get_or_create(name="Riverbend Behavioral Health")
    for name in PROGRAM_NAMES:
        Program.objects.get_or_create(agency=agency, name=name)
    users = {}
    for email, first_name, last_name, role, _supervisor in DEMO_STAFF:
        users[email] = _demo_user(email, first_name, last_name, role)
    for email, *_rest, supervisor_email in DEMO_STAFF:
        StaffProfile.objects.update_or_create(
            user=users[email],
            defaults={"agency": agency, "supervisor": users.get(supervisor_email)},
        )
    return agency


def sign_ins() -> list[tuple[str, str]]:
    return [(email, role.label) for email, _first, _last, role, _sup in DEMO_STAFF]
