"""The work page: every "Fix this" leads somewhere the reader may open, holds are counted and
filtered by reason, and holds past fixing are apart from those that can still be fixed."""

import datetime

import pytest
from django.urls import reverse

from audit import paging
from billing.assessment import HOLD
from billing.billability import assess, billable_notes
from billing.models import Rate, ServiceCode
from notes.tests.factories import signed_note
from programs.models import Certification

from .factories import TODAY, days_ago

pytestmark = pytest.mark.django_db


def _fix_links(client, user):
    client.force_login(user)
    response = client.get(reverse("billing:work"))
    reasons = [r for a in response.context["holds"].object_list for r in a.reasons]
    return response, reasons


@pytest.mark.parametrize("viewer", ["billing_user", "admin_user"])
def test_every_fix_link_opens_for_its_reader_or_names_who_fixes_it(client, request, viewer, identity, author, person):
    Certification.objects.filter(profile__user=author).update(expires_on=days_ago(30))  # lapsed before the note
    Rate.objects.filter(service_code__billing_program="tx_state_plan").update(effective_from=TODAY)  # no rate then
    person.primary_diagnosis = "F11.20"  # a substance-use diagnosis: needs a Part 2 consent
    person.save()
    signed_note(person, author, day=days_ago(3))
    user = request.getfixturevalue(viewer)
    response, reasons = _fix_links(client, user)
    kinds = {r.kind for r in reasons}
    assert {"certification", "code", "consent"} <= kinds
    for reason in reasons:
        if reason.fix_url:
            assert client.get(reason.fix_url.split("#")[0]).status_code == 200, reason.text
        else:
            assert reason.fixed_by, reason.text
    body = response.content.decode()
    if viewer == "billing_user":
        assert "Ask a program admin to fix this." in body
        assert "Ask the participant&#x27;s peer specialist to fix this." in body
        assert "/django-admin/" not in body


def test_a_missing_authorization_links_to_a_prefilled_form_billing_staff_can_open(
    client, billing_user, identity, author, person
):
    ServiceCode.objects.filter(billing_program="tx_state_plan").update(requires_authorization=True)
    signed_note(person, author)
    [a] = assess(billable_notes())
    [reason] = a.reasons
    assert reason.kind == "authorization" and reason.fix_url.startswith(reverse("billing:authorization_create"))
    client.force_login(billing_user)
    form = client.get(reason.fix_url).context["form"]
    assert [pk for pk, _ in form.fields["participant"].choices] == [person.pk]
    assert form.initial["service_code"] == int(reason.fix_url.rsplit("service_code=", 1)[1])


def test_holds_are_counted_and_filtered_by_reason_and_past_fixing_stands_apart(
    client, billing_user, identity, author, person, program, payer
):
    from .factories import billable_participant

    no_address = billable_participant(author, program, payer, first_name="Ada")
    no_address.address_line1 = ""
    no_address.save()
    signed_note(no_address, author, day=days_ago(3))
    signed_note(person, author, day=days_ago(3), modality="video", place="99")  # video reported in the community
    payer.timely_filing_days = 60
    payer.save()
    old = signed_note(person, author, day=days_ago(70), start="15:00", end="15:45")  # past the 60 days
    client.force_login(billing_user)
    response = client.get(reverse("billing:work"))
    counts = {kind: n for kind, _label, n in response.context["holds_by_reason"]}
    assert counts["address"] == 1 and counts["place"] == 1 and counts["filing_limit"] == 1
    assert [a.note for a in response.context["past_fixing"].object_list] == [old]
    assert old not in [a.note for a in response.context["holds"].object_list]
    body = response.content.decode()
    assert "Past fixing: 1 note past the payer's filing limit" in body
    assert "A video session is reported at place of service 02 or 10 (telehealth), not 99." in body

    only_place = client.get(reverse("billing:work"), {"reason": "place"}).context
    assert [r.kind for a in only_place["holds"].object_list for r in a.reasons] == ["place"]
    assert client.get(reverse("billing:work"), {"reason": "nonsense"}).status_code == 200


def test_a_note_whose_place_disagrees_with_its_modality_is_held(identity, author, person):
    signed_note(person, author, modality="in_person", place="10")
    [a] = assess(billable_notes())
    assert a.status == HOLD and [r.kind for r in a.reasons] == ["place"]


def test_the_page_lists_the_most_urgent_ready_notes_and_builds_all_of_them_on_request(
    client, billing_user, identity, author, program, payer, settings
):
    from billing.models import ClaimLine

    from .factories import billable_participant

    settings.BILLING_WORK_WINDOW = 100  # a window larger than the payer's review list (50)

    people = [billable_participant(author, program, payer) for _ in range(6)]
    for n in range(60):
        signed_note(people[n % 6], author, day=days_ago(3 + n // 6))
    client.force_login(billing_user)
    response = client.get(reverse("billing:work"), {"month": ""})
    [(shown_payer, items, count, _units, _hours)] = response.context["by_payer"]
    assert (shown_payer, len(items), count) == (payer, 50, 60)
    assert [a.note.date for a in items] == sorted(a.note.date for a in items)  # the oldest, most urgent first
    body = response.content.decode()
    assert "Build a batch of all 60 ready notes" in body and body.count('name="notes"') == 50

    response = client.post(reverse("billing:batch_create"), {"payer": payer.pk, "all": "1"}, follow=True)
    assert "built with" in response.content.decode()
    assert ClaimLine.objects.filter(voided=False).count() == 60


def test_the_page_assesses_one_window_of_notes_whatever_the_history(
    client, billing_user, identity, author, program, payer, settings, django_assert_max_num_queries, monkeypatch
):
    from .factories import billable_participant

    settings.BILLING_WORK_WINDOW = 5
    people = [billable_participant(author, program, payer) for _ in range(4)]

    def add_notes(count, first_day):
        for n in range(count):
            signed_note(people[n % 4], author, day=days_ago(first_day + n // 4))

    add_notes(12, 3)
    client.force_login(billing_user)
    with django_assert_max_num_queries(60) as few:
        response = client.get(reverse("billing:work"))
    window = response.context["window"]
    assert (window.paginator.count, len(window.object_list)) == (12, 5)
    assert response.context["ready_count"] == 5
    oldest = sorted(response.context["by_payer"][0][1], key=lambda a: a.note.date)[0].note.date
    assert oldest == days_ago(5)  # the oldest notes come first
    assert "Notes 1–5 of 12 awaiting billing" in response.content.decode()

    add_notes(40, 6)  # more history: the page assesses the same five notes' worth
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("billing:work"), {"window": 3})
    assert response.context["window"].paginator.count == 52
    assert response.context["ready_count"] == 5
    response = client.post(reverse("billing:batch_create"), {"payer": payer.pk, "all": "1", "window": "1"}, follow=True)
    assert "built with" in response.content.decode()

    # Counted no further than a clerk can use: past the bound, "more than", and the next window.
    monkeypatch.setattr(paging, "COUNT_BOUND", 20)
    response = client.get(reverse("billing:work"))
    assert "Notes 1–5 of more than 20 awaiting billing" in response.content.decode()
    assert response.context["window"].has_next()
    from billing.models import ClaimLine

    assert ClaimLine.objects.filter(voided=False).count() == 5


def test_the_specialist_filter_lists_the_specialists_and_keeps_the_one_chosen(client, billing_user, author, person):
    """The specialist select is written in Python (audit.widgets.Select), not one template per
    option: the same markup, the chosen one selected, names escaped."""
    author.first_name = "Pat <b>"
    author.save(update_fields=["first_name"])
    client.force_login(billing_user)
    body = client.get(reverse("billing:work"), {"specialist": author.pk}).content.decode()
    assert '<select name="specialist" class="form-select" id="id_specialist">' in body
    assert '<option value="">All specialists</option>' in body
    assert f'<option value="{author.pk}" selected>Pat &lt;b&gt; Nguyen</option>' in body


def test_the_specialist_choices_are_set_once_as_they_are_read(author):
    """250 specialists at agency scale: given to the field as audit.widgets.Choices, which
    Django's setters keep rather than rebuild pair by pair for the field and its widget (issue 16)."""
    from audit.widgets import Choices
    from billing.forms import BillingFilterForm

    field = BillingFilterForm().fields["specialist"]
    assert isinstance(field.widget.choices, Choices) and field.widget.choices is field.choices
    assert (author.pk, str(author)) in list(field.choices)


def test_the_filing_cutoff_is_the_longest_limit_of_an_active_payer(payer):
    from billing.selectors import filing_cutoff
    from programs.models import Payer

    Payer.objects.exclude(pk=payer.pk).update(is_active=False)  # the payers migrations ship
    Payer.objects.create(name="Closed plan", payer_id="OLD", timely_filing_days=700, is_active=False)
    Payer.objects.create(name="Slow plan", payer_id="SLOW", timely_filing_days=365)
    assert filing_cutoff(TODAY) == TODAY - datetime.timedelta(days=365)
    Payer.objects.filter(name="Slow plan").update(timely_filing_days=payer.timely_filing_days - 1)
    assert filing_cutoff(TODAY) == TODAY - datetime.timedelta(days=payer.timely_filing_days)
    Payer.objects.update(is_active=False)
    assert filing_cutoff(TODAY) == TODAY
