"""The people and objects the access matrix (tests/test_access_matrix.py) is tried with, taken
from the demo agency: every object is in the scope of the peer Pat Nguyen (peer@) and of her
supervisor (supervisor@), so the other peer and the other supervisor must be refused it."""

from django.core.files.base import ContentFile
from django.db.models import Q
from django.urls import reverse

from accounts.models import Invitation, User
from billing.models import (
    Authorization,
    ClaimLine,
    EligibilityInquiry,
    EligibilityResponse,
    Remittance,
    RemittanceLine,
)
from notes.models import SessionNote
from outcomes.models import Assessment, CheckIn, SafetyFlag
from participants.access import group_attendees, visible_participants
from participants.models import CaseloadAssignment, Consent, Coverage, Enrollment, Goal, Participant
from programs.models import Certification
from reports.models import Report

ACTORS = ("anon", "peer", "peer2", "sup", "sup2", "bill", "admin")
EMAILS = {
    "peer": "peer@example.org",
    "peer2": "peer2@example.org",
    "sup": "supervisor@example.org",
    "sup2": "supervisor2@example.org",
    "bill": "billing@example.org",
    "admin": "admin@example.org",
}
# Written into the notes tried, so a page that shows a narrative to the wrong person is caught.
NARRATIVE = "Narrative-marker-for-the-access-matrix"
# Pages whose list is the group-attendee grant (participants.access.group_attendees).
ATTENDEE_PAGES = ("group_attendee_search", "group_attendee_rows")
# Who may read a narrative of the peer's notes: those in the participant's care and admins.
NARRATIVE_READERS = ("peer", "sup", "admin")


class Cast:
    OBJECTS = (
        "-", "specialist", "search_q", "attendee_ids", "invitation", "token", "program", "profile", "staff_of",
        "certification", "participant", "enrollment", "coverage", "consent", "goal", "plan_signer", "note", "draft",
        "batch", "batch_file", "line", "claim", "authorization", "billing_note", "csv", "remittance",
        "remittance_line", "inquiry", "response", "assessment", "check_in", "safety_flag", "report", "report_file",
    )  # fmt: skip

    def __init__(self):
        self.users = {actor: User.objects.get(email=email) for actor, email in EMAILS.items()}
        peer = self.users["peer"]
        mine = CaseloadAssignment.objects.current().filter(specialist=peer).values("participant")
        theirs = visible_participants(self.users["sup2"]).exclude(pk__in=visible_participants(self.users["sup"]))
        self.outsider = theirs.order_by("pk").first()
        in_care = {"participant__in": mine}
        note = SessionNote.objects.filter(author=peer, status__in=SessionNote.LOCKED, **in_care).first()
        draft = SessionNote.objects.filter(author=peer, status=SessionNote.Status.DRAFT, **in_care).first()
        if draft is None:  # the demo keeps none: the peer's draft is a copy of a signed note
            draft = SessionNote.objects.get(pk=note.pk)
            draft.pk, draft.status, draft.cosigned_by, draft.cosigned_at = None, SessionNote.Status.DRAFT, None, None
            draft.save()
        line = ClaimLine.objects.filter(note__participant__in=mine).select_related("claim__batch").first()
        line = line or ClaimLine.objects.select_related("claim__batch").first()
        participant = Participant.objects.filter(pk__in=mine, consents__isnull=False, plan__isnull=False).first()
        enrollment = Enrollment.objects.filter(participant=participant).first()
        self.objects = {
            "participant": participant,
            "enrollment": enrollment,
            "coverage": Coverage.objects.filter(participant=participant).first(),
            "consent": Consent.objects.filter(participant=participant).first(),
            "goal": Goal.objects.filter(plan__participant=participant).first(),
            "note": note,
            "draft": draft,
            "line": line,
            "invitation": Invitation.objects.order_by("pk").first(),
            "certification": Certification.objects.filter(profile__user=peer).first(),
            "authorization": Authorization.objects.order_by("pk").first(),
            "remittance": Remittance.objects.order_by("pk").first(),
            "remittance_line": RemittanceLine.objects.order_by("pk").first(),
            "inquiry": EligibilityInquiry.objects.order_by("pk").first(),
            "response": EligibilityResponse.objects.order_by("pk").first(),
            "assessment": Assessment.objects.filter(participant__in=mine).first(),
            "check_in": CheckIn.objects.filter(participant__in=mine).first(),
            "safety_flag": SafetyFlag.objects.filter(participant__in=mine).first(),
            "report": Report.objects.filter(program=enrollment.program).order_by("pk").first(),
        }
        missing = [name for name, value in self.objects.items() if value is None]
        assert not missing, f"the demo has no {missing} in the peer's scope"
        SessionNote.objects.filter(pk__in=[note.pk, line.note_id]).update(intervention=NARRATIVE)
        self.line = line
        report = self.objects["report"]
        if not report.csv:  # the demo's reports are generated after commit: give the download a file
            report.csv.save("matrix.csv", ContentFile(b"figure,value\nparticipants served,3\n"))
        self.markers = self._markers()
        self._scopes: dict[tuple[str, bool], set[int]] = {}

    def _markers(self) -> dict[str, tuple[str, str]]:
        """Participant pk -> (a member ID, full name): strings naming exactly that person."""
        people = Participant.objects.values_list("pk", "first_name", "last_name")
        names = [f"{first} {last}" for _pk, first, last in people]
        member_ids = dict(Coverage.objects.order_by("pk").values_list("participant", "member_id"))
        return {
            pk: (member_ids.get(pk, ""), f"{first} {last}" if names.count(f"{first} {last}") == 1 else "")
            for pk, first, last in people
        }

    def kwargs(self, obj: str):
        o, peer = self.objects, self.users["peer"]
        p = o["participant"]
        return {
            "-": ({}, {}),
            "specialist": ({"specialist_pk": peer.pk}, {}),
            "search_q": ({}, {"q": self.outsider.last_name}),
            "attendee_ids": ({}, {"id": [self.outsider.pk, p.pk]}),
            "invitation": ({"pk": o["invitation"].pk}, {}),
            "token": ({"token": "not-a-real-token"}, {}),
            "program": ({"pk": o["enrollment"].program_id}, {}),
            "profile": ({"pk": peer.staff_profile.pk}, {}),
            "staff_of": ({"profile_pk": peer.staff_profile.pk}, {}),
            "certification": ({"pk": o["certification"].pk}, {}),
            "participant": ({"pk": p.pk}, {}),
            "enrollment": ({"pk": p.pk, "enrollment_pk": o["enrollment"].pk}, {}),
            "coverage": ({"pk": p.pk, "coverage_pk": o["coverage"].pk}, {}),
            "consent": ({"pk": p.pk, "consent_pk": o["consent"].pk}, {}),
            "goal": ({"pk": p.pk, "goal_pk": o["goal"].pk}, {}),
            "plan_signer": ({"pk": p.pk, "signer": "specialist"}, {}),
            "note": ({"note_pk": o["note"].pk}, {}),
            "draft": ({"note_pk": o["draft"].pk}, {}),
            "batch": ({"pk": self.line.claim.batch_id}, {}),
            "batch_file": ({"pk": self.line.claim.batch_id, "fmt": "csv"}, {}),
            "line": ({"pk": self.line.pk}, {}),
            "claim": ({"pk": self.line.claim_id}, {}),
            "authorization": ({"pk": o["authorization"].pk}, {}),
            "billing_note": ({"pk": self.line.note_id}, {}),
            "csv": ({"fmt": "csv"}, {}),
            "remittance": ({"pk": o["remittance"].pk}, {}),
            "remittance_line": ({"pk": o["remittance_line"].pk}, {}),
            "inquiry": ({"pk": o["inquiry"].pk}, {}),
            "response": ({"pk": o["response"].pk}, {}),
            "assessment": ({"pk": o["assessment"].pk}, {}),
            "check_in": ({"pk": o["check_in"].pk}, {}),
            "safety_flag": ({"pk": o["safety_flag"].pk}, {}),
            "report": ({"pk": o["report"].pk}, {}),
            "report_file": ({"pk": o["report"].pk, "fmt": "csv"}, {}),
        }[obj]

    def target(self, name: str, obj: str) -> tuple[str, dict]:
        kwargs, query = self.kwargs(obj)
        path = reverse(name, kwargs=kwargs) if ":" in name or not name.endswith(".ico") else "/" + name
        return path, query

    def _allowed(self, actor: str, attendees: bool) -> set[int]:
        key = (actor, attendees)
        if key not in self._scopes:
            user = self.users[actor]
            # The policy restated here rather than asked of participants.access, so a scope
            # widened there shows up as a leak: a peer's open caseload, a supervisor's and
            # their supervisees'. Attendee pages use the narrower group grant itself.
            current = CaseloadAssignment.objects.current()
            mine = current.filter(Q(specialist=user) | Q(specialist__staff_profile__supervisor=user))
            scope = (
                group_attendees(user) if attendees else Participant.objects.filter(pk__in=mine.values("participant"))
            )
            self._scopes[key] = set(scope.values_list("pk", flat=True))
        return self._scopes[key]

    def leaks(self, actor: str, name: str, body: str) -> list[str]:
        found = []
        if actor in ("peer", "peer2", "sup", "sup2"):
            allowed = self._allowed(actor, name in ATTENDEE_PAGES)
            for pk, (medicaid_id, full_name) in self.markers.items():
                if pk in allowed:
                    continue
                found += [
                    f"{marker!r} (participant {pk})" for marker in (medicaid_id, full_name) if marker and marker in body
                ]
        if actor not in NARRATIVE_READERS and NARRATIVE in body:
            found.append("a note narrative")
        return found


def build_cast() -> Cast:
    return Cast()
