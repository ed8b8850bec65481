"""The phone's kept copies at the edges: a session that ended while a note was typed, and a
page the service worker kept that answers a save, opened again with no signal."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notes.models import SessionNote

from .helpers import assert_accessible, open_menu, sign_in
from .test_notes import caseload  # noqa: F401  (the fixture: Pat's caseload with Rosa)
from .test_offline import KEPT_FORM, _open_the_note_form_online


@pytest.mark.django_db(transaction=True)
def test_a_note_typed_after_the_session_ended_is_kept_for_after_sign_in(phone, caseload):  # noqa: F811
    _open_the_note_form_online(phone, caseload)
    phone.context.clear_cookies(name="sessionid")  # timed out, or signed out in another tab
    phone.get_by_label("What was done").fill("Went over the budget together.")
    # The autosave was answered by the sign-in page: nothing saved, and it says so.
    expect(phone.locator("#autosave-status")).to_have_text(re.compile("you are signed out"))
    expect(phone.locator("#autosave-status form")).to_have_count(0)
    phone.get_by_label(re.compile("I attest")).check()
    phone.get_by_role("button", name="Sign and submit").click()
    expect(phone.get_by_role("button", name="Sign in")).to_be_visible()
    assert not SessionNote.objects.exists()

    sign_in(phone, "pat@example.org")
    phone.goto(f"/participants/{caseload.pk}/notes/new/")
    phone.get_by_role("button", name="Restore it").click()  # what was typed is still on the phone
    expect(phone.get_by_label("What was done")).to_have_value("Went over the budget together.")
    expect(phone.locator("#autosave-status")).to_contain_text("Saved on the server at")
    assert SessionNote.objects.get().intervention == "Went over the budget together."


@pytest.mark.django_db(transaction=True)
def test_a_kept_page_that_answered_a_save_keeps_what_is_typed_on_it_with_no_signal(phone, caseload):  # noqa: F811
    _open_the_note_form_online(phone, caseload)
    phone.get_by_label("What was done").fill("Talked about the move.")
    phone.get_by_role("button", name="Save draft").click()
    expect(phone.get_by_text("Draft saved.")).to_be_visible()
    edit_url = phone.url.split("?")[0]
    phone.wait_for_function(KEPT_FORM, arg=edit_url)  # the answer to the save, kept by the worker

    phone.context.set_offline(True)
    phone.goto(edit_url)
    phone.get_by_label("Next steps").fill("Typed in the car, with no signal.")
    expect(phone.locator("#autosave-status")).to_have_text("Kept on this phone, will send when online.")
    phone.reload()  # the tab was closed; opened again, still with no signal
    phone.get_by_role("button", name="Restore it").click()
    expect(phone.get_by_label("Next steps")).to_have_value("Typed in the car, with no signal.")
    phone.console_errors.clear()  # requests that failed with no signal are logged, as expected


@pytest.mark.django_db(transaction=True)
def test_two_tabs_send_what_the_phone_kept_once(phone, caseload):  # noqa: F811
    _open_the_note_form_online(phone, caseload)
    phone.get_by_label("What was done").fill("Planned the week.")
    expect(phone.locator("#autosave-status")).to_contain_text("Saved on the server at")
    phone.context.set_offline(True)
    phone.get_by_label("Next steps").fill("Call on Tuesday.")
    phone.get_by_role("button", name="Save draft").click()
    expect(phone.locator(".outbox-item")).to_contain_text("Kept on this phone, will send when online.")
    other = phone.context.new_page()  # a second tab on the same phone
    other.goto("/on-this-phone/")
    expect(other.locator(".outbox-item")).to_contain_text("Kept on this phone, will send when online.")
    posts = []
    phone.context.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/notes/" in r.url else None)

    phone.context.set_offline(False)  # both tabs see the signal return, and send
    for tab in (phone, other):
        expect(tab.locator(".outbox-item")).to_contain_text("Saved on the server.")
    assert len(posts) == 1, posts
    assert SessionNote.objects.get().next_steps == "Call on Tuesday."
    phone.console_errors.clear()


@pytest.mark.django_db(transaction=True)
def test_a_note_kept_for_someone_since_moved_to_another_caseload_is_not_lost(phone, caseload):  # noqa: F811
    _open_the_note_form_online(phone, caseload)
    phone.context.set_offline(True)
    phone.get_by_label("What was done").fill("Helped with the bus pass form.")
    phone.get_by_label(re.compile("I attest")).check()
    phone.get_by_role("button", name="Sign and submit").click()
    expect(phone.locator(".outbox-item")).to_contain_text("Kept on this phone")
    caseload.assignments.update(ended_on=timezone.localdate() - datetime.timedelta(days=2))  # reassigned meanwhile

    phone.context.set_offline(False)
    item = phone.locator(".outbox-item")
    expect(item).to_contain_text("no longer open to you")
    expect(item.get_by_role("link", name="Open it to fix")).to_be_hidden()  # it would answer 404
    item.get_by_text("What was typed", exact=True).click()
    expect(item).to_contain_text("Helped with the bus pass form.")  # still there, to copy out
    assert_accessible(phone)
    assert not SessionNote.objects.exists()
    phone.console_errors.clear()  # the refused send is logged


@pytest.mark.django_db(transaction=True)
def test_signing_out_in_one_tab_stops_another_from_keeping_anything(phone, caseload):  # noqa: F811
    from .test_offline import WHAT_IS_KEPT

    _open_the_note_form_online(phone, caseload)
    other = phone.context.new_page()
    other.goto("/home/peer/")
    open_menu(other)
    other.get_by_role("button", name=re.compile("Sign out")).click()
    expect(other.get_by_role("button", name="Sign in")).to_be_visible()
    # The tab left on the note form learns of it and shows the sign-in page too.
    expect(phone.get_by_role("button", name="Sign in")).to_be_visible()
    kept = phone.evaluate(WHAT_IS_KEPT)
    assert kept["rows"] == 0 and kept["caches"] == [] and kept["workers"] == 0
    other.close()


# Another tab holds the phone's store with a connection that does not give way (an old copy
# of the page's scripts, say), and a deletion of the store waits on it: every later reader of
# the store waits behind that deletion.
HOLD_THE_STORE = """() => new Promise((resolve) => {
    const open = indexedDB.open("peersupport", 1);
    open.onsuccess = () => {
        window.heldStore = open.result;  // no versionchange handler: it never closes
        indexedDB.deleteDatabase("peersupport");
        resolve();
    };
})"""


@pytest.mark.django_db(transaction=True)
def test_sign_out_asks_and_still_signs_out_when_the_phone_cannot_count_what_it_kept(phone, caseload):  # noqa: F811
    """Sign-out counts unsent forms first. A count that never answers must not leave a shared
    phone signed in with a button that does nothing: it asks, as there may be unsent forms.
    Nor may a page still settling sign out unasked."""
    _open_the_note_form_online(phone, caseload)
    other = phone.context.new_page()
    other.goto("/home/peer/")
    other.evaluate(HOLD_THE_STORE)

    open_menu(phone)
    with phone.expect_event("dialog") as asked:
        phone.once("dialog", lambda dialog: dialog.dismiss())
        phone.get_by_role("button", name=re.compile("Sign out")).click()
    assert "could not check in time whether forms typed on it have reached the server" in asked.value.message
    expect(phone.get_by_role("heading", level=1)).to_have_text("Session note")  # dismissed: still here

    # A page opened now cannot even find whose phone it is (that reads the store too): its
    # sign-out is guarded all the same, not left to sign out without asking.
    phone.reload()
    open_menu(phone)
    with phone.expect_event("dialog") as asked:
        phone.once("dialog", lambda dialog: dialog.accept())
        phone.get_by_role("button", name=re.compile("Sign out")).click()
    expect(phone.get_by_role("button", name="Sign in")).to_be_visible()
    other.close()  # the store is let go: the deletions waiting on it run
    phone.goto("/home/peer/")
    expect(phone.get_by_role("button", name="Sign in")).to_be_visible()  # signed out on the server
