"""Who may open a session note and what they may do with it. Decided here, once.

- Drafts (and discarded drafts) are their author's alone (anyone else gets 404).
- A note is visible to those who may see its participant (participants/access.py), to its
  author, and to the author's supervisor (who reviews it even after the participant moved on).
- The narrative (what was done, the response, next steps) is for those in the participant's
  care and program admins; billing staff see only the facts of the service (minimum
  necessary, 45 CFR 164.502(b)).
- A group's facilitator may have written a note for someone outside their care (an attendee
  from a program they work in: participants.access.group_attendees). They see and edit that
  note as its author, and nothing more of the person: not their record (`record` is False, so
  the page does not link to it), not the notes others wrote.
"""

from functools import cached_property

from django.db.models import Q
from django.http import Http404

from accounts.roles import Role
from audit.prepared import Prepared, Slot
from participants.access import participant_access, visible_participants

from .models import SessionNote


def note_scope(user) -> Q:
    """Notes a user may open: those of participants they may see, their own, and their
    supervisees' (a supervisor reviews a note even after its participant has moved on)."""
    return Q(participant__in=visible_participants(user)) | Q(author=user) | Q(author__staff_profile__supervisor=user)


# The author's read of their own note (below): compiled once per process (audit/prepared.py),
# and joined only to what the editor, its autosave and a discard use, the participant and the
# plan whose goals they offer. The author is the user asking, so is set, not read: planning
# the seven-table join took PostgreSQL ten times as long as running it (issue 16).
_authors_note = Prepared(
    lambda: (
        SessionNote.objects.select_related("participant__plan")
        .filter(pk=Slot("pk"), author_id=Slot("author"))
        .order_by()
    )
)


def get_note_for_user(user, pk: int, *, authoring: bool = False):
    """The note and what the user may do with it. Drafts are their author's alone.

    `authoring`: the request is its author's (the editor, its autosave, a discard). Its author
    may always open a note (note_scope), so it is read as theirs first: building and running
    the care scope's subqueries was a third of the editor's and autosave's time, the commonest
    requests of all (issue 16). Anyone else is then read through the scope, as always."""
    if pk < 1:  # no note has it (a new note's autosave names 0): not worth a query
        raise Http404("No such note.")
    note = None
    if authoring:
        note = next(iter(_authors_note(pk=pk, author=user.pk)), None)
        if note is not None:
            note.author = user
    if note is None:
        # The participant's plan too: the editor and autosave offer its goals.
        notes = SessionNote.objects.select_related("participant__plan", "author__staff_profile", "cosigned_by", "group")
        note = notes.filter(note_scope(user), pk=pk).first()
    if note is None or (note.status in SessionNote.UNSIGNED and note.author_id != user.pk):
        raise Http404("No such note.")
    return note, NoteAccess.for_user(user, note)


class NoteAccess:
    """What `user` may do with `note`. Editing, review and addenda are decided from the note
    and the user alone; whether the participant is in the user's care (the narrative, the
    record link) is read from the database once, when first asked: the editor and its
    autosave, the commonest requests of all, ask only `edit` (issue 16)."""

    def __init__(self, user, note):
        self.user, self.note = user, note
        is_author = note.author_id == user.pk
        # Not asked of the author: their own profile is not read with their note (_authors_note).
        profile = None if is_author else getattr(note.author, "staff_profile", None)
        supervises_author = profile is not None and profile.supervisor_id == user.pk
        self._care = is_author or supervises_author or user.has_role(Role.PROGRAM_ADMIN)
        self.edit = is_author and note.status in note.EDITABLE
        # review: co-sign or return
        self.review = supervises_author and user.has_role(Role.SUPERVISOR) and note.status == note.Status.SUBMITTED
        self.addendum = (is_author or supervises_author) and note.is_locked

    @classmethod
    def for_user(cls, user, note) -> "NoteAccess":
        return cls(user, note)

    @cached_property
    def _in_care(self) -> bool:
        return participant_access(self.user, self.note.participant).clinical

    @cached_property
    def narrative(self) -> bool:
        """Read what was done, the response and next steps."""
        return self._care or self._in_care

    @cached_property
    def record(self) -> bool:
        """Open the participant's record. Who sees whom is visible_participants': everyone
        for these roles, else those in care."""
        return self.user.has_role(Role.PROGRAM_ADMIN, Role.BILLING) or self._in_care
