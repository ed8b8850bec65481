"""A note written and signed with no signal: kept on the phone, sent by itself when the signal
returns, exactly once; and nothing of it left on the phone after sign-out."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notes.models import SessionNote

from .helpers import assert_accessible, open_menu, sign_in, sign_out
from .test_notes import caseload  # noqa: F401  (the fixture: Pat's caseload with Rosa)

CONTROLLED = "() => Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)"
KEPT_FORM = """async (url) => {
    const cache = await caches.open("ps-pages");
    return Boolean(await cache.match(url));
}"""
# Everything the page's origin keeps: IndexedDB rows, caches, web storage, service workers.
WHAT_IS_KEPT = """async () => {
    const rows = await new Promise((resolve) => {
        const open = indexedDB.open("peersupport", 1);
        open.onsuccess = () => {
            const db = open.result;
            const names = Array.from(db.objectStoreNames);
            if (!names.length) { db.close(); resolve(0); return; }
            const tx = db.transaction(names, "readonly");
            let total = 0;
            names.forEach((n) => { tx.objectStore(n).count().onsuccess = (e) => { total += e.target.result; }; });
            tx.oncomplete = () => { db.close(); resolve(total); };
        };
        open.onerror = () => resolve(-1);
    });
    return {
        rows,
        caches: await caches.keys(),
        // htmx remembers only the current path ("htmx-current-path-for-history"); its page
        // snapshots are turned off (base.html), as they would keep a note's text.
        local: [localStorage, sessionStorage].flatMap((s) => Object.keys(s))
            .filter((k) => k !== "htmx-current-path-for-history").length,
        workers: (await navigator.serviceWorker.getRegistrations()).length,
    };
}"""


def _write_a_routine_note(phone):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    phone.get_by_label("Date*", exact=True).fill(yesterday.isoformat())
    phone.get_by_label("Start time").fill("10:00")
    phone.get_by_label("End time").fill("10:45")
    phone.get_by_label("Modality").select_option("in_person")
    phone.get_by_label("Recovery coaching").check()
    phone.get_by_label("What was done").fill("Walked to the clinic and talked about sleep.")
    phone.get_by_label("The participant's response").fill("Said she would try the routine.")
    phone.get_by_label("Next steps").fill("Check in on Monday.")


def _open_the_note_form_online(phone, participant):
    sign_in(phone, "pat@example.org")
    phone.wait_for_function(CONTROLLED)
    url = f"/participants/{participant.pk}/notes/new/"
    phone.goto(url)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Session note")
    # Kept by the service worker, so it would open with no signal too.
    phone.wait_for_function(KEPT_FORM, arg=phone.url)


@pytest.mark.django_db(transaction=True)
def test_a_note_signed_with_no_signal_is_sent_by_itself_exactly_once(phone, caseload):  # noqa: F811
    sign_in(phone, "pat@example.org")
    phone.wait_for_function(CONTROLLED)
    phone.goto("/caseload/")
    form_url = f"{phone.url.split('/caseload/')[0]}/participants/{caseload.pk}/notes/new/"
    phone.wait_for_function(KEPT_FORM, arg=form_url)  # the caseload's note forms are kept

    phone.context.set_offline(True)  # the caseload and the form it leads to open with no signal
    phone.reload()
    phone.get_by_role("link", name="Log a session with Rosa Quintero").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Session note")
    _write_a_routine_note(phone)
    expect(phone.locator("#autosave-status")).to_have_text("Kept on this phone, will send when online.")
    assert_accessible(phone)
    phone.get_by_label(re.compile("I attest")).check()
    phone.get_by_role("button", name="Sign and submit").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("On this phone")
    item = phone.locator(".outbox-item")
    expect(item).to_contain_text("Session note · Rosa Quintero")
    expect(item).to_contain_text("Kept on this phone, will send when online.")
    assert_accessible(phone)
    phone.reload()  # still no signal: the page and the note come from the phone
    expect(item).to_contain_text("Kept on this phone, will send when online.")
    phone.goto(form_url)  # the form too opens with no signal
    expect(phone.get_by_role("heading", level=1)).to_have_text("Session note")
    expect(phone.locator("#outbox-banner")).to_contain_text("1 form is kept on this phone")
    assert_accessible(phone)
    assert not SessionNote.objects.exists()

    phone.context.set_offline(False)  # the signal returns; nobody taps anything
    expect(phone.locator("#outbox-banner")).to_be_hidden()
    phone.goto("/on-this-phone/")
    expect(item).to_contain_text("Saved on the server.")
    phone.reload()
    expect(item).to_contain_text("Saved on the server.")
    note = SessionNote.objects.get()
    assert note.status == SessionNote.Status.SUBMITTED
    assert note.intervention == "Walked to the clinic and talked about sleep."
    assert note.duration_minutes == 45
    phone.console_errors.clear()  # requests that failed with no signal are logged, as expected


@pytest.mark.django_db(transaction=True)
def test_a_note_the_server_refuses_says_why_and_can_be_opened_again(phone, caseload):  # noqa: F811
    _open_the_note_form_online(phone, caseload)
    phone.context.set_offline(True)
    phone.get_by_label("What was done").fill("Talked about the new job.")
    phone.get_by_label(re.compile("I attest")).check()
    phone.get_by_role("button", name="Sign and submit").click()
    expect(phone.locator(".outbox-item")).to_contain_text("Kept on this phone")

    phone.context.set_offline(False)
    item = phone.locator(".outbox-item")
    expect(item).to_contain_text(re.compile(r"Could not be sent: .*(time|date)", re.IGNORECASE))
    assert_accessible(phone)
    assert not SessionNote.objects.filter(status=SessionNote.Status.SUBMITTED).exists()
    # Signing out would delete it: the phone asks first.
    open_menu(phone)
    with phone.expect_event("dialog") as asked:
        phone.once("dialog", lambda dialog: dialog.dismiss())
        phone.get_by_role("button", name=re.compile("Sign out")).click()
    assert "1 form(s) typed on this phone have not reached the server" in asked.value.message
    expect(phone.get_by_role("heading", level=1)).to_have_text("On this phone")  # still signed in
    item.get_by_role("link", name="Open it to fix").click()  # the draft the server kept of it
    expect(phone.get_by_role("heading", level=1)).to_have_text("Session note")
    phone.get_by_role("button", name="Restore it").click()
    expect(phone.get_by_label("What was done")).to_have_value("Talked about the new job.")
    expect(phone.locator("#autosave-status")).to_contain_text("Saved on the server at")
    assert SessionNote.objects.get().intervention == "Talked about the new job."  # one note, not two
    phone.console_errors.clear()


@pytest.mark.django_db(transaction=True)
def test_sign_out_leaves_nothing_of_the_note_on_the_phone(phone, caseload):  # noqa: F811
    _open_the_note_form_online(phone, caseload)
    phone.context.set_offline(True)
    phone.get_by_label("What was done").fill("Private words about a hard week.")
    expect(phone.locator("#autosave-status")).to_have_text("Kept on this phone, will send when online.")
    phone.context.set_offline(False)
    expect(phone.locator("#autosave-status")).to_contain_text("Saved on the server at")  # by itself
    kept = phone.evaluate(WHAT_IS_KEPT)
    assert kept["rows"] > 0 and kept["caches"] and kept["workers"] == 1  # the phone did keep it

    sign_out(phone)
    assert phone.evaluate(WHAT_IS_KEPT) == {"rows": 0, "caches": [], "local": 0, "workers": 0}

    # The next person on this phone is not offered it.
    sign_in(phone, "sam@example.org")
    phone.goto(f"/participants/{caseload.pk}/notes/new/", wait_until="networkidle")
    phone.console_errors.clear()  # Sam may not write Rosa's note: the 403 is logged
    expect(phone.get_by_text("Private words about a hard week.")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_a_note_cut_off_on_its_way_is_kept_though_the_phone_says_online(phone, caseload):  # noqa: F811
    _open_the_note_form_online(phone, caseload)
    _write_a_routine_note(phone)
    expect(phone.locator("#autosave-status")).to_contain_text("Saved on the server at")
    # The phone shows signal, but the request never arrives (a dead spot, a captive portal).
    phone.context.route(re.compile(r".*/notes/new/$|.*/notes/\d+/edit/$"), _drop_posts)
    phone.get_by_label(re.compile("I attest")).check()
    phone.get_by_role("button", name="Sign and submit").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("On this phone")
    expect(phone.locator(".outbox-item")).to_contain_text("Session note · Rosa Quintero")
    assert SessionNote.objects.get().status == SessionNote.Status.DRAFT
    phone.context.unroute_all()
    phone.evaluate("() => window.PSOffline.send()")  # what the next page, or the signal, does
    expect(phone.locator(".outbox-item")).to_contain_text("Saved on the server.")
    assert SessionNote.objects.get().status == SessionNote.Status.SUBMITTED
    phone.console_errors.clear()


def _drop_posts(route):
    if route.request.method == "POST":
        route.abort("internetdisconnected")
    else:
        route.continue_()
