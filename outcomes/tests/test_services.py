"""Recording outcomes: once per timepoint, amended with history, never dated outside the
enrollment, and check-ins whose counts cover consecutive periods."""

import datetime
import json
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.tests.waiting import wait_until
from outcomes.follow_up import follow_up_rates
from outcomes.models import Amendment, Assessment, CheckIn, Instrument, SafetyFlag, Timepoint, TimepointWindow
from outcomes.services import assessment_amend, assessment_record, check_in_amend
from participants.models import Enrollment
from participants.tests.factories import days_ago, enrolled_participant

from .factories import answers_totalling, instrument, record_assessment, record_check_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollment(peer, program, team):
    person = enrolled_participant(peer, program=program, started_days_ago=200)
    return person.enrollments.get()


def test_an_assessment_is_scored_and_stored_with_its_band(enrollment, peer):
    assessment = record_assessment(enrollment, "PHQ-9", total=12, by=peer)
    assessment.refresh_from_db()
    assert (assessment.total, assessment.band, assessment.in_window) == (12, "Moderate", True)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, target_id=str(enrollment.participant_id)).exists()


def test_a_scheduled_timepoint_is_recorded_once_then_only_amended(enrollment, peer):
    record_assessment(enrollment, "PHQ-9", total=12, by=peer)
    with pytest.raises(ValidationError) as raised:
        record_assessment(enrollment, "PHQ-9", total=3, by=peer)
    assert "already recorded" in raised.value.message_dict["timepoint"][0]
    assert Assessment.objects.count() == 1
    # Another instrument, or a between-timepoints screen, is a separate record.
    record_assessment(enrollment, "GAD-7", total=3, by=peer)
    record_assessment(enrollment, "PHQ-9", total=3, timepoint=Timepoint.BETWEEN, taken_on=days_ago(5), by=peer)
    record_assessment(enrollment, "PHQ-9", total=4, timepoint=Timepoint.BETWEEN, taken_on=days_ago(4), by=peer)
    assert Assessment.objects.count() == 4


def test_an_amendment_keeps_what_was_there_and_why(enrollment, peer, supervisor):
    assessment = record_assessment(enrollment, "PHQ-9", total=12, by=peer)
    before = dict(assessment.answers)
    amended = assessment_amend(
        assessment=assessment,
        taken_on=assessment.taken_on,
        answers=answers_totalling("PHQ-9", 21),
        reason="Item answers were entered in the wrong rows.",
        ctx=AuditContext(actor=supervisor),
    )
    assert (amended.total, amended.band) == (21, "Severe")
    amendment = Amendment.objects.get(assessment=assessment)
    assert amendment.previous["answers"] == before
    assert amendment.previous["total"] == 12
    assert amendment.amended_by == supervisor
    update = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE)
    assert sorted(update.details["fields"]) == ["answers", "band", "total"]
    # The audit row names the fields, never the answers.
    assert "Severe" not in json.dumps(update.details)


def test_an_amendment_needs_a_reason_and_changes_nothing_without_one(enrollment, peer):
    assessment = record_assessment(enrollment, "PHQ-9", total=12, by=peer)
    with pytest.raises(ValidationError):
        assessment_amend(
            assessment=assessment, taken_on=assessment.taken_on, answers={}, reason=" ", ctx=AuditContext(actor=peer)
        )
    assessment.refresh_from_db()
    assert assessment.total == 12 and not Amendment.objects.exists()


@pytest.mark.parametrize(
    ("taken_on", "message"),
    [
        (lambda e: days_ago(-1), "can't be in the future"),
        (lambda e: e.start_date - datetime.timedelta(days=1), "can't be before enrollment"),
    ],
)
def test_a_record_dated_in_the_future_or_before_enrollment_is_refused(enrollment, peer, taken_on, message):
    for record in (
        lambda: record_assessment(enrollment, "GAD-7", total=5, taken_on=taken_on(enrollment), by=peer),
        lambda: record_check_in(enrollment, taken_on=taken_on(enrollment), by=peer),
    ):
        with pytest.raises(ValidationError) as raised:
            record()
        assert message in raised.value.message_dict["taken_on"][0]
    assert not Assessment.objects.exists() and not CheckIn.objects.exists()


def test_an_answer_outside_the_scale_saves_nothing(enrollment, peer):
    answers = answers_totalling("PHQ-9", 0) | {"4": 7}
    with pytest.raises(ValidationError) as raised:
        assessment_record(
            enrollment=enrollment,
            instrument=instrument("PHQ-9"),
            timepoint=Timepoint.INTAKE,
            taken_on=enrollment.start_date,
            answers=answers,
            ctx=AuditContext(actor=peer),
        )
    assert list(raised.value.message_dict) == ["item_4"]
    assert not Assessment.objects.exists()


def test_phq9_item_9_raises_a_safety_flag_once_even_when_amended(enrollment, peer):
    answers = answers_totalling("PHQ-9", 0) | {"9": 1}
    assessment, score = assessment_record(
        enrollment=enrollment,
        instrument=instrument("PHQ-9"),
        timepoint=Timepoint.INTAKE,
        taken_on=enrollment.start_date,
        answers=answers,
        ctx=AuditContext(actor=peer),
    )
    assert score.same_day
    assert SafetyFlag.objects.get().assessment == assessment
    assessment_amend(
        assessment=assessment,
        taken_on=assessment.taken_on,
        answers=answers | {"9": 2},
        reason="Corrected item 9",
        ctx=AuditContext(actor=peer),
    )
    assert SafetyFlag.objects.count() == 1


def test_check_ins_cover_six_months_before_enrollment_then_each_period_since_the_last(enrollment, peer):
    start = enrollment.start_date
    intake = record_check_in(enrollment, taken_on=start + datetime.timedelta(days=10), by=peer, er_visits=4)
    month_3 = record_check_in(enrollment, timepoint=Timepoint.MONTH_3, taken_on=start + datetime.timedelta(90), by=peer)
    month_6 = record_check_in(
        enrollment, timepoint=Timepoint.MONTH_6, taken_on=start + datetime.timedelta(180), by=peer
    )
    assert (intake.covers_from, intake.covers_until) == (start - datetime.timedelta(days=182), start)
    assert (month_3.covers_from, month_3.covers_until) == (start, start + datetime.timedelta(90))
    assert (month_6.covers_from, month_6.covers_until) == (month_3.covers_until, start + datetime.timedelta(180))
    assert month_3.in_window and month_6.in_window


def test_a_late_check_in_recorded_out_of_order_rechains_the_next_one(enrollment, peer):
    start = enrollment.start_date
    record_check_in(enrollment, by=peer)
    month_6 = record_check_in(
        enrollment, timepoint=Timepoint.MONTH_6, taken_on=start + datetime.timedelta(180), by=peer
    )
    assert month_6.covers_from == start
    month_3 = record_check_in(
        enrollment, timepoint=Timepoint.MONTH_3, taken_on=start + datetime.timedelta(130), by=peer
    )
    month_6.refresh_from_db()
    assert month_3.covers_from == start
    assert month_6.covers_from == start + datetime.timedelta(130)
    assert not month_3.in_window  # the 3-month window closes on day 122


def test_days_counted_can_not_exceed_the_days_a_check_in_covers(enrollment, peer):
    start = enrollment.start_date
    record_check_in(enrollment, by=peer)
    with pytest.raises(ValidationError) as raised:
        record_check_in(
            enrollment, timepoint=Timepoint.MONTH_3, taken_on=start + datetime.timedelta(90), by=peer, inpatient_days=91
        )
    assert "can't be more than the 90 days" in raised.value.message_dict["inpatient_days"][0]
    assert CheckIn.objects.count() == 1


def test_a_check_in_amendment_keeps_the_previous_values(enrollment, peer):
    check_in = record_check_in(enrollment, by=peer, er_visits=3)
    amended = check_in_amend(
        check_in=check_in,
        changes={"er_visits": 5, "housing": CheckIn.Housing.OWN_OR_RENT},
        reason="Participant remembered two more visits",
        ctx=AuditContext(actor=peer),
    )
    assert amended.er_visits == 5 and amended.housed
    amendment = Amendment.objects.get(check_in=check_in)
    assert amendment.previous["er_visits"] == 3
    assert amendment.previous["housing"] == CheckIn.Housing.SHELTER


# --- load_instrument -----------------------------------------------------------------------


def _definition(tmp_path, **changes):
    from outcomes.tests.test_instruments import DEFINITIONS

    data = json.loads((DEFINITIONS / "gad7.json").read_text()) | changes
    path = tmp_path / "def.json"
    path.write_text(json.dumps(data))
    return path


def test_load_instrument_loads_a_new_version_and_retires_the_old_one(tmp_path, admin_user, capsys):
    call_command("load_instrument", str(_definition(tmp_path, version=2)), user=admin_user.email)
    assert "Loaded" in capsys.readouterr().out
    assert list(Instrument.objects.filter(code="GAD-7").values_list("version", "is_active")) == [(2, True), (1, False)]


def test_load_instrument_again_with_the_same_file_changes_nothing(tmp_path, admin_user, capsys):
    call_command("load_instrument", str(_definition(tmp_path)), user=admin_user.email)
    assert "Already loaded" in capsys.readouterr().out
    assert Instrument.objects.filter(code="GAD-7").count() == 1


def test_load_instrument_refuses_a_changed_definition_under_a_loaded_version(tmp_path, admin_user):
    with pytest.raises(CommandError, match="new version number"):
        call_command("load_instrument", str(_definition(tmp_path, name="Changed")), user=admin_user.email)


@pytest.mark.parametrize(
    ("content", "message"), [("not json", "is not a JSON file"), ('{"code": "X"}', "The definition lacks")]
)
def test_load_instrument_explains_a_bad_file(tmp_path, admin_user, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("load_instrument", str(path), user=admin_user.email)


def test_load_instrument_is_for_program_admins(tmp_path, peer):
    with pytest.raises(CommandError, match="not an active program admin"):
        call_command("load_instrument", str(_definition(tmp_path, version=2)), user=peer.email)


@pytest.mark.django_db(transaction=True)
def test_two_people_recording_the_same_timepoint_at_once_leave_one_record(enrollment, peer, supervisor):
    """Two connections: the first holds its unsaved-but-inserted intake check-in open while the
    second tries; the unique constraint makes the second wait, then refuses it with the
    message a person can act on (amend the existing record)."""
    start, first_saved, release = threading.Barrier(2), threading.Event(), threading.Event()
    outcome = {}

    def first():
        start.wait(10)
        try:
            with transaction.atomic():
                record_check_in(enrollment, by=peer)
                first_saved.set()
                release.wait(10)
        finally:
            connection.close()

    def second():
        start.wait(10)
        first_saved.wait(10)
        try:
            record_check_in(enrollment, by=supervisor, er_visits=2)
        except ValidationError as error:
            outcome["error"] = error.message_dict["timepoint"][0]
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    wait_until(lambda: _waiting_on_a_lock() == 1)
    release.set()
    for thread in threads:
        thread.join(20)
    assert "already recorded" in outcome["error"]
    assert CheckIn.objects.get().recorded_by == peer


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


# --- Periods stay consecutive whatever the order of recording -------------------------------


@pytest.fixture
def long_enrollment(peer, program, team):
    return enrolled_participant(peer, program=program, started_days_ago=420).enrollments.get()


def _day(enrollment, n: int) -> datetime.date:
    return enrollment.start_date + datetime.timedelta(days=n)


def _periods(enrollment) -> list[tuple[str, int, int]]:
    rows = CheckIn.objects.filter(enrollment=enrollment).exclude(timepoint=Timepoint.INTAKE).order_by("taken_on")
    start = enrollment.start_date
    return [(r.timepoint, (r.covers_from - start).days, (r.covers_until - start).days) for r in rows]


def test_moving_a_check_in_past_the_next_one_leaves_no_gap(long_enrollment, peer):
    e = long_enrollment
    record_check_in(e, timepoint=Timepoint.MONTH_3, taken_on=_day(e, 90), by=peer)
    month_6 = record_check_in(e, timepoint=Timepoint.MONTH_6, taken_on=_day(e, 180), by=peer)
    record_check_in(e, timepoint=Timepoint.MONTH_12, taken_on=_day(e, 365), by=peer)
    check_in_amend(check_in=month_6, changes={"taken_on": _day(e, 240)}, reason="wrong day", ctx=AuditContext(peer))
    assert _periods(e) == [("3m", 0, 90), ("6m", 90, 240), ("12m", 240, 365)]


def test_a_late_intake_does_not_make_a_later_check_in_count_days_twice(long_enrollment, peer):
    e = long_enrollment
    record_check_in(e, timepoint=Timepoint.BETWEEN, taken_on=_day(e, 10), by=peer, er_visits=1)
    record_check_in(e, taken_on=_day(e, 20), by=peer)
    record_check_in(e, timepoint=Timepoint.MONTH_3, taken_on=_day(e, 90), by=peer)
    assert _periods(e) == [("between", 0, 10), ("3m", 10, 90)]


def test_an_insert_that_would_shrink_a_period_below_its_day_counts_is_refused(long_enrollment, peer):
    e = long_enrollment
    record_check_in(e, timepoint=Timepoint.MONTH_3, taken_on=_day(e, 90), by=peer, inpatient_days=80)
    with pytest.raises(ValidationError) as raised:
        record_check_in(e, timepoint=Timepoint.BETWEEN, taken_on=_day(e, 85), by=peer)
    assert "would cover only 5 days" in raised.value.message_dict["taken_on"][0]
    assert _periods(e) == [("3m", 0, 90)]  # nothing saved, nothing moved


# --- Dates allowed for a timepoint ---------------------------------------------------------


def test_a_follow_up_can_not_be_dated_before_its_window_opens(long_enrollment, peer):
    with pytest.raises(ValidationError) as raised:
        record_check_in(long_enrollment, timepoint=Timepoint.MONTH_12, taken_on=_day(long_enrollment, 5), by=peer)
    assert "Between timepoints" in raised.value.message_dict["taken_on"][0]


def test_the_discharge_interview_may_follow_discharge_within_its_window(long_enrollment, peer):
    e = long_enrollment
    Enrollment.objects.filter(pk=e.pk).update(end_date=_day(e, 400), discharge_reason="goals_met")
    e.refresh_from_db()
    record_check_in(e, timepoint=Timepoint.DISCHARGE, taken_on=_day(e, 410), by=peer)  # window: -30 to +14
    with pytest.raises(ValidationError, match="after discharge"):
        record_check_in(e, timepoint=Timepoint.BETWEEN, taken_on=_day(e, 405), by=peer)


def test_in_window_follows_the_programs_windows_as_they_are_now(long_enrollment, peer, program):
    e = long_enrollment
    month_3 = record_check_in(e, timepoint=Timepoint.MONTH_3, taken_on=_day(e, 125), by=peer)
    assert not month_3.in_window  # the default 3-month window closes on day 122
    TimepointWindow.objects.create(program=program, timepoint=Timepoint.MONTH_3, opens_day=60, closes_day=130)
    month_3.refresh_from_db()
    assert month_3.in_window
    today = timezone.localdate()
    [rate] = follow_up_rates(program_ids=[program.pk], start=today - datetime.timedelta(days=365), end=today)
    assert (rate.due, rate.done) == (2, 1)  # 3-month done in its window now; 6-month due, not done
