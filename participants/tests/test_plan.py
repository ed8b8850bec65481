import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import Goal, GoalStatusChange, RecoveryPlan

from .factories import days_ago, enrolled_participant

TODAY = timezone.localdate()


@pytest.mark.django_db
def test_a_plan_with_goals_their_history_and_three_signatures(client, peer, supervisor, team, program):
    person = enrolled_participant(peer, program=program)
    client.force_login(peer)
    assert (
        client.post(
            reverse("participants:plan_edit", args=[person.pk]),
            {"started_on": TODAY.isoformat(), "strengths": "Persistent", "needs": "A job"},
        ).status_code
        == 302
    )
    plan = RecoveryPlan.objects.get(participant=person)

    client.post(
        reverse("participants:goal_create", args=[person.pk]),
        {"description": "I want to work at the library", "objectives": "Apply", "target_date": "2027-03-01"},
    )
    goal = Goal.objects.get(plan=plan)
    client.post(
        reverse("participants:goal_status", args=[person.pk, goal.pk]), {"status": "revised", "note": "Now part-time"}
    )
    client.post(reverse("participants:goal_status", args=[person.pk, goal.pk]), {"status": "achieved"})
    goal.refresh_from_db()
    assert goal.status == "achieved"
    assert list(
        GoalStatusChange.objects.filter(goal=goal).order_by("changed_at").values_list("from_status", "to_status")
    ) == [
        ("", "active"),
        ("active", "revised"),
        ("revised", "achieved"),
    ]

    def sign(who, name, day=TODAY):
        url = reverse("participants:plan_sign", args=[person.pk, who])
        return client.post(url, {"name": name, "signed_on": day.isoformat()})

    assert sign("participant", "Lena Okafor").status_code == 302
    assert sign("specialist", "Pat Peer", days_ago(5)).status_code == 400  # before the plan started
    assert sign("specialist", "Pat Peer").status_code == 302
    client.force_login(supervisor)
    assert sign("supervisor", "Sam Supervisor").status_code == 302
    plan.refresh_from_db()
    assert (plan.participant_signature, plan.specialist_signed_by, plan.supervisor_signed_by) == (
        "Lena Okafor",
        peer,
        supervisor,
    )


@pytest.mark.django_db
def test_a_review_resets_the_due_date_and_cannot_be_in_the_future(client, peer, team, program):
    from datetime import timedelta

    from .factories import PlanFactory

    person = enrolled_participant(peer, program=program)
    plan = PlanFactory(participant=person, started_on=days_ago(100))
    client.force_login(peer)
    url = reverse("participants:plan_review", args=[person.pk])
    response = client.post(url, {"reviewed_on": (TODAY + timedelta(days=1)).isoformat()})
    assert response.status_code == 400 and "can&#x27;t be dated in the future" in response.content.decode()
    assert client.post(url, {"reviewed_on": TODAY.isoformat()}).status_code == 302
    plan.refresh_from_db()
    assert plan.next_review_on(program.plan_review_days) == TODAY + timedelta(days=90)


@pytest.mark.django_db
def test_an_unknown_status_or_signer_is_handled(client, peer, team, program):
    from .factories import PlanFactory

    person = enrolled_participant(peer, program=program)
    plan = PlanFactory(participant=person)
    goal = Goal.objects.create(plan=plan, description="g", objectives="o", target_date="2027-01-01")
    client.force_login(peer)
    response = client.post(
        reverse("participants:goal_status", args=[person.pk, goal.pk]), {"status": "finished"}, follow=True
    )
    assert "Choose one of the listed statuses." in response.content.decode()
    assert client.get(reverse("participants:plan_sign", args=[person.pk, "mayor"])).status_code == 404


@pytest.mark.django_db
def test_a_review_is_not_dated_before_its_plan(client, peer, team, program):
    from .factories import PlanFactory

    person = enrolled_participant(peer, program=program)
    plan = PlanFactory(participant=person, started_on=days_ago(30))
    client.force_login(peer)
    url = reverse("participants:plan_review", args=[person.pk])
    response = client.post(url, {"reviewed_on": days_ago(31).isoformat()})
    assert response.status_code == 400 and "before the plan started" in response.content.decode()
    plan.refresh_from_db()
    assert plan.last_reviewed_on is None
    assert client.post(url, {"reviewed_on": days_ago(30).isoformat()}).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [({"description": "x" * 100_000}, "at most 5000 characters"), ({"target_date": "9999-12-31"}, "10 years ahead"),
     ({"objectives": "Apply\x00"}, "Null characters are not allowed")],
)  # fmt: skip
def test_a_goal_with_huge_text_nul_or_far_date_is_not_saved(client, peer, participant, change, message):
    client.force_login(peer)
    data = {"description": "Work at the library", "objectives": "Apply", "target_date": days_ago(-60).isoformat()}
    response = client.post(reverse("participants:goal_create", args=[participant.pk]), data | change)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Goal.objects.exists()


@pytest.mark.django_db
def test_a_date_of_birth_before_1900_is_refused(client, peer, participant):
    participant.date_of_birth = participant.date_of_birth.replace(year=1899)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="before 1900"):
        participant.full_clean()


@pytest.mark.django_db
def test_the_page_reads_the_goals_changes_with_who_made_them(client, peer, supervisor, team, program):
    """The goals' status changes are read with their users joined: no third query for the users."""
    person = enrolled_participant(peer, program=program)
    client.force_login(peer)
    client.post(
        reverse("participants:plan_edit", args=[person.pk]),
        {"started_on": TODAY.isoformat(), "strengths": "Persistent", "needs": "A job"},
    )
    client.post(
        reverse("participants:goal_create", args=[person.pk]),
        {"description": "Work", "objectives": "Apply", "target_date": "2027-03-01"},
    )
    goal = Goal.objects.get(plan__participant=person)
    client.post(reverse("participants:goal_status", args=[person.pk, goal.pk]), {"status": "revised", "note": "Later"})
    with CaptureQueriesContext(connection) as read:
        body = client.get(reverse("participants:detail", args=[person.pk])).content.decode()
    assert f"→ Revised by {peer}" in body
    # The signed-in user is read by its id; the changes' users were read by a prefetch (IN).
    read_users = [q["sql"] for q in read.captured_queries if 'FROM "accounts_user" WHERE' in q["sql"]]
    assert [sql for sql in read_users if ") IN (" in sql] == []
