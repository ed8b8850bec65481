import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone


def append_only(prefix: str) -> list:
    """45 CFR 164.312(b): the audit log is evidence, so the database itself refuses to change or
    remove a row, whoever asks (the ORM, the admin, a raw query under the app's role). TRUNCATE
    fires no row triggers, hence the statement-level one beside them."""
    return [
        pgtrigger.Protect(name=f"{prefix}_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        pgtrigger.Trigger(
            name=f"{prefix}_never_truncated",
            operation=pgtrigger.Truncate,
            level=pgtrigger.Statement,
            when=pgtrigger.Before,
            func="RAISE EXCEPTION 'The audit log cannot be truncated (table %).', TG_TABLE_NAME;",
        ),
    ]


class AuditEvent(models.Model):
    """One thing someone did, to which record, when and from where. Append-only."""

    class Action(models.TextChoices):
        LOGIN = "login", "Signed in"
        LOGOUT = "logout", "Signed out"
        LOGIN_FAILED = "login_failed", "Failed sign-in"
        INVITATION_SENT = "invitation_sent", "Invitation sent"
        INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
        INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
        VIEW = "view", "Viewed"
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        # A file holding PHI left the app: its rows are the accounting of disclosures that
        # 42 CFR 2.24 and 45 CFR 164.528 let a participant ask for (audit.services.audit_disclosure).
        DISCLOSE = "disclose", "Disclosed in a file"

    # The admin's failed sign-ins of the last 24 hours (peersupport.selectors.recent_failed_sign_ins)
    # and the audit log's date filters (peersupport.audit_log: at >= / at <).
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # PROTECT: a user with an audit trail can be deactivated, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the person typed or was known as at the time (a failed sign-in has no actor).
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices)
    target_type = models.CharField(max_length=100, blank=True, help_text="app_label.model")
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # One record's trail in time order: the Django admin's audit events filtered by target
            # type and searched by target id. No app page filters on it today (the participant's
            # trail reads AuditSubject): check it is still used before relying on it.
            models.Index(fields=["target_type", "target_id", "at"])
        ]
        triggers = append_only("audit_rows")

    def __str__(self) -> str:
        who = self.actor_label or "someone"
        what = f" {self.target_type}#{self.target_id}" if self.target_type else ""
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.get_action_display()}{what}"


class AuditSubject(models.Model):
    """A participant whose PHI an audit row touched: the record's own participant, each one a
    list showed, each one a disclosed file held. The audit page's participant filter and a
    participant's accounting of disclosures read these, by index, however long the log grows.

    A number, not a foreign key: this app sits left of participants, and the evidence must not
    depend on the record it is about."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="subjects")
    participant_id = models.PositiveBigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant_id", "event"], name="audit_subject_once")]
        triggers = append_only("audit_subjects")

    def __str__(self) -> str:
        return f"participant {self.participant_id} in {self.event_id}"
