"""Who may see and change what in the workforce. Decided here once; views call these.

Outsiders get 404 (they are not told the record exists); people who may see a record but
not change it get 403 when they try.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import Role

from .models import Certification, StaffProfile


def visible_profiles(user) -> QuerySet[StaffProfile]:
    """Program admins see every profile; supervisors their supervisees and themselves;
    everyone else only their own."""
    profiles = StaffProfile.objects.all()
    if user.has_role(Role.PROGRAM_ADMIN):
        return profiles
    if user.has_role(Role.SUPERVISOR):
        return profiles.filter(supervisor=user) | profiles.filter(user=user)
    return profiles.filter(user=user)


def get_profile_for_user(user, pk: int, *, write: bool = False) -> StaffProfile:
    profile = visible_profiles(user).filter(pk=pk).first()
    if profile is None:
        raise Http404("No such staff profile.")
    if write and not user.has_role(Role.PROGRAM_ADMIN):
        raise PermissionDenied("Only program admins change staff profiles.")
    return profile


def get_certification_for_user(user, pk: int, *, write: bool = False, upload: bool = False) -> Certification:
    """`write`: change the certification's facts (program admins only).
    `upload`: attach a scanned copy (program admins, or the specialist it belongs to)."""
    certification = (
        Certification.objects.filter(profile__in=visible_profiles(user), pk=pk).select_related("profile").first()
    )
    if certification is None:
        raise Http404("No such certification.")
    is_admin = user.has_role(Role.PROGRAM_ADMIN)
    if write and not is_admin:
        raise PermissionDenied("Only program admins change certifications.")
    if upload and not (is_admin or certification.profile.user_id == user.pk):
        raise PermissionDenied("Only the specialist or a program admin uploads a certificate copy.")
    return certification


def can_log_supervision(user, profile: StaffProfile) -> bool:
    return profile.supervisor_id == user.pk and user.has_role(Role.SUPERVISOR)


def can_add_training(user, profile: StaffProfile) -> bool:
    """Program admins, the specialist themselves, and their supervisor (who often sends them
    to it and sees the certificate first)."""
    is_their_supervisor = profile.supervisor_id == user.pk and user.has_role(Role.SUPERVISOR)
    return user.has_role(Role.PROGRAM_ADMIN) or profile.user_id == user.pk or is_their_supervisor
