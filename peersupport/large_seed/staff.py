"""The large agency's programs, supervisors and specialists, with their certifications. The
demo's supervisor@ and peer@ are the first of each, so their pages show the large caseloads."""

import datetime

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role
from programs.demo import DEMO_PASSWORD
from programs.models import Certification, Program, StaffProfile

from . import MARKER, Gen
from .copy import copy_rows, reserve_ids

PROGRAM_KINDS = [
    ("Peer Bridger", Program.Kind.PEER_BRIDGER, Program.Population.MENTAL_HEALTH),
    ("ED Recovery Coaching", Program.Kind.ED_RECOVERY_COACHING, Program.Population.SUBSTANCE_USE),
    ("Community Peer Support", Program.Kind.COMMUNITY_MENTAL_HEALTH, Program.Population.CO_OCCURRING),
]
REGIONS = ["North", "South", "East", "West", "Central", "Hill Country", "Gulf", "Panhandle"]
FIRST = ["Avery", "Blake", "Casey", "Devin", "Emery", "Finley", "Harper", "Jesse", "Kendall", "Logan", "Morgan",
         "Parker", "Quinn", "Riley", "Rowan", "Sage", "Skyler", "Taylor"]  # fmt: skip
LAST = ["Alvarez", "Bishop", "Coleman", "Dominguez", "Ellis", "Foster", "Gutierrez", "Hayes", "Ibarra", "Jennings",
        "Kim", "Lara", "Mendoza", "Nash", "Ochoa", "Price", "Rojas", "Salazar", "Tate", "Vega"]  # fmt: skip
# One in ten specialists signs final notes without co-signature (a credentialed peer lead).
NO_COSIGNATURE_EVERY = 10


def npi(serial: int) -> str:
    """A made-up NPI with a valid check digit (Luhn over the prefix 80840 and nine digits)."""
    base = f"{300000000 + serial:09d}"
    digits = [int(d) for d in "80840" + base]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return base + str((10 - total % 10) % 10)


def generate(gen: Gen) -> None:
    sizes, today = gen.sizes, gen.today
    programs = Program.objects.bulk_create(
        Program(
            agency=gen.agency,
            name=f"{MARKER}{REGIONS[i % len(REGIONS)]} {PROGRAM_KINDS[i % 3][0]}" + (f" {i + 1}" if i >= 8 else ""),
            kind=PROGRAM_KINDS[i % 3][1],
            population=PROGRAM_KINDS[i % 3][2],
            target_caseload=48,
            contact_frequency_days=14,
        )
        for i in range(sizes.programs)
    )
    supervisors = _users(gen, Role.SUPERVISOR, "supervisor@example.org", sizes.supervisors, "lead")
    specialists = _users(gen, Role.PEER_SPECIALIST, "peer@example.org", sizes.specialists, "peer")
    # Profiles of the new people; the demo's two keep theirs (they are in this agency already).
    profiles = []
    for user_id, is_new in supervisors:
        if is_new:
            profiles.append(StaffProfile(user_id=user_id, agency=gen.agency, hire_date=today.replace(day=1)))
    team = []  # (specialist id, supervisor id, program id, requires co-signature)
    for index, (user_id, is_new) in enumerate(specialists):
        supervisor_id = supervisors[index % len(supervisors)][0]
        program_id = programs[index % len(programs)].pk
        cosigns = index % NO_COSIGNATURE_EVERY != 3
        if is_new:
            profiles.append(
                StaffProfile(
                    user_id=user_id, agency=gen.agency, supervisor_id=supervisor_id, npi=npi(index),
                    requires_cosignature=cosigns, hire_date=today - datetime.timedelta(days=800 + index % 300),
                )
            )  # fmt: skip
        else:
            cosigns = StaffProfile.objects.get(user_id=user_id).requires_cosignature
        team.append((user_id, supervisor_id, program_id, cosigns))
    StaffProfile.objects.bulk_create(profiles, batch_size=1000)
    profile_ids = dict(StaffProfile.objects.filter(agency=gen.agency).values_list("user_id", "pk"))
    through = StaffProfile.programs.through
    links = {(profile_ids[s], p) for s, _sup, p, _c in team} | {(profile_ids[sup], p) for _s, sup, p, _c in team}
    through.objects.bulk_create([through(staffprofile_id=a, program_id=b) for a, b in sorted(links)], batch_size=2000)
    _certifications(gen, [(profile_ids[s], is_new) for (s, is_new) in specialists])
    gen.data.update(programs=programs, team=team, supervisor_ids=[s for s, _ in supervisors])
    gen.counts.update(programs=len(programs), supervisors=len(supervisors), specialists=len(specialists))


def _users(gen: Gen, role: str, demo_email: str, count: int, kind: str) -> list[tuple[int, bool]]:
    """`count` people in `role`: the demo's sign-in first, then new ones (who share the demo
    password, hashed once: hashing 275 times would take most of a minute)."""
    demo = User.objects.get(email=demo_email)
    password = make_password(DEMO_PASSWORD, salt="largeseed16")
    first_id = reserve_ids(User, count - 1)
    rows = []
    for n in range(count - 1):
        first, last = FIRST[n % len(FIRST)], LAST[(n * 7 + len(kind)) % len(LAST)]
        email = f"{kind}{n + 1:03d}.{last.lower()}@large.example.org"
        rows.append((first_id + n, password, False, first, last, False, True, gen.at(gen.today, 8), email))
    copy_rows(
        User,
        ["id", "password", "is_superuser", "first_name", "last_name", "is_staff", "is_active", "date_joined", "email"],
        rows,
    )
    group = Group.objects.get(name=role)
    copy_rows(User.groups.through, ["user_id", "group_id"], ((row[0], group.pk) for row in rows))
    return [(demo.pk, False)] + [(row[0], True) for row in rows]


def _certifications(gen: Gen, profiles: list[tuple[int, bool]]) -> None:
    """Every new specialist holds the Texas peer certification and Connecticut's RSS, in force
    since before the first note and well past today, so certification never holds a claim."""
    today, rng = gen.today, gen.rng
    rows = []
    for n, (profile_id, is_new) in enumerate(profiles):
        if not is_new:
            continue
        issued = today - datetime.timedelta(days=800)
        expires = today + datetime.timedelta(days=rng.randint(120, 900))
        for type_, body in [(Certification.Type.TX_MHPS, "Texas Certification Board"),
                            (Certification.Type.CT_RSS, "Advocacy Unlimited")]:  # fmt: skip
            rows.append(
                Certification(profile_id=profile_id, type=type_, number=f"L-{type_[:2].upper()}-{60000 + n}",
                              issuing_body=body, issued_on=issued, expires_on=expires)
            )  # fmt: skip
    Certification.objects.bulk_create(rows, batch_size=1000)
