import datetime

import pytest
from django.core import mail
from django.utils import timezone

from programs.models import CertificationNotice
from programs.services import certification_notices_send
from programs.tasks import send_certification_expiry_notices

from .factories import CertificationFactory

TODAY = datetime.date(2026, 11, 23)


def _send(today, capture):
    with capture(execute=True):
        return certification_notices_send(today=today)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days_left", "threshold"), [(61, None), (60, 60), (31, 60), (30, 30), (8, 30), (7, 7), (0, 7), (-1, 0)]
)
def test_each_threshold_is_reached_on_its_day(
    specialist_profile, days_left, threshold, django_capture_on_commit_callbacks
):
    specialist_profile.certifications.update(expires_on=TODAY + datetime.timedelta(days=days_left))
    sent = _send(TODAY, django_capture_on_commit_callbacks)
    assert sent == (0 if threshold is None else 1)
    assert list(CertificationNotice.objects.values_list("threshold", flat=True)) == (
        [] if threshold is None else [threshold]
    )


@pytest.mark.django_db
def test_a_notice_goes_to_the_specialist_and_supervisor_once_even_if_the_task_runs_twice(
    specialist_profile, peer, supervisor, django_capture_on_commit_callbacks
):
    specialist_profile.certifications.update(expires_on=TODAY + datetime.timedelta(days=30))
    assert _send(TODAY, django_capture_on_commit_callbacks) == 1
    assert _send(TODAY, django_capture_on_commit_callbacks) == 0
    assert _send(TODAY + datetime.timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [peer.email, supervisor.email]
    assert "expires in 30 days" in mail.outbox[0].subject


@pytest.mark.django_db
def test_every_threshold_is_sent_once_as_time_passes(specialist_profile, django_capture_on_commit_callbacks):
    expiry = TODAY + datetime.timedelta(days=60)
    specialist_profile.certifications.update(expires_on=expiry)
    for day in range(0, 70):
        _send(TODAY + datetime.timedelta(days=day), django_capture_on_commit_callbacks)
    assert sorted(CertificationNotice.objects.values_list("threshold", flat=True)) == [0, 7, 30, 60]
    assert len(mail.outbox) == 4
    assert "expired" in mail.outbox[-1].subject.lower()


@pytest.mark.django_db
def test_a_renewal_silences_the_old_certificate(specialist_profile, django_capture_on_commit_callbacks):
    specialist_profile.certifications.update(expires_on=TODAY + datetime.timedelta(days=5))
    CertificationFactory(profile=specialist_profile, issued_on=TODAY, expires_on=TODAY + datetime.timedelta(days=730))
    assert _send(TODAY, django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_celery_task_runs_the_service(specialist_profile):
    specialist_profile.certifications.update(expires_on=timezone.localdate() + datetime.timedelta(days=3))
    assert send_certification_expiry_notices.apply().get() == 1
