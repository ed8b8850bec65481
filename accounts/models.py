import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property

from audit.prepared import Prepared, Slot

from .roles import HOME_PRIORITY, Role

# The names of a user's role groups: asked by every signed-in request (role_required), so
# compiled once per process (audit/prepared.py).
_role_names = Prepared(
    lambda: Group.objects.filter(user__id=Slot("user"), name__in=Role.values).values_list("name", flat=True)
)


class UserManager(DjangoUserManager):
    """Users sign in with their email address; there is no username."""

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    @cached_property
    def roles(self) -> frozenset[str]:
        """The names of this user's role groups (one query, then cached on the instance)."""
        return frozenset(_role_names(user=self.pk))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def home_role(self) -> str | None:
        return next((role for role in HOME_PRIORITY if role in self.roles), None)

    @property
    def is_invitee(self) -> bool:
        """Made at invitation so a staff profile can be set up at once, and not yet accepted:
        inactive, with no password and never signed in. Accepting the invitation activates it
        (accounts.services.invitation_accept); a deactivated member of staff is not one."""
        return not self.is_active and not self.has_usable_password() and self.last_login is None


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """A program admin's invitation to a new staff member.

    Sent with the onboarding form (programs.services.staff_invite), it comes with an inactive
    account with no password and an inactive staff profile (`User.is_invitee`); accepting it
    sets the password and activates both. Until then nobody can sign in as the invitee.
    """

    email = models.EmailField()
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    role = models.CharField(max_length=40, choices=Role.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="invitation"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_pending_invitation_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "Accepted"
        if self.revoked_at:
            return "Revoked"
        return "Pending"

    def expires_at(self):
        return self.sent_at + datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at()

    def role_group(self) -> Group:
        return Group.objects.get(name=self.role)


class FallbackCacheEntry(models.Model):
    """The table Django's database cache uses (the schema `createcachetable` makes), kept
    here so migrations create it: accounts.cache.ResilientRedisCache answers from it while
    Redis is unreachable. Only the cache backend reads or writes it."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "cache_fallback"

    def __str__(self) -> str:
        return self.cache_key


class SignInSession(models.Model):
    """Which session belongs to whom, written at sign-in, so every session of a user can be
    ended when their password changes without reading every session in the table. Deleting
    the session (sign-out, expiry, the nightly sweep) deletes this row with it."""

    session = models.OneToOneField("sessions.Session", on_delete=models.CASCADE, primary_key=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    signed_in_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Session of user {self.user_id} since {self.signed_in_at:%Y-%m-%d %H:%M}"
