"""The load part of `make bench` (peersupport/bench/load.py), run small: gunicorn on this test
database and locust in their own processes, as `make bench` runs them at 25 users for 60 s."""

import pytest

from accounts.tests.factories import PASSWORD
from notes.models import SessionNote
from notes.tests.factories import SessionNoteFactory
from peersupport.bench import load

BAD_PAGE = "/no-such-page/"


@pytest.fixture
def desks(transactional_db, participant, peer, supervisor, billing_user):
    # Committed (transactional_db): gunicorn reads this database from its own connections.
    return [
        SessionNoteFactory(author=peer, participant=participant, intervention=f"Planned the week, draft {n}.")
        for n in range(3)
    ]


def test_a_short_run_signs_in_autosaves_drafts_and_counts_a_missing_page_as_an_error(desks):
    plan = load.plan(password=PASSWORD, users=3)
    assert [d["note"] for d in plan["peers"]] == sorted((n.pk for n in desks), reverse=True)
    # Every page a supervisor or a billing clerk asks for is missing: whoever is not a peer
    # among the three users finds only errors.
    plan["pages"]["supervisor"] = plan["pages"]["billing"] = [BAD_PAGE]
    plan["pages"]["peer"].append(BAD_PAGE)
    notes_before = SessionNote.objects.count()

    summary = load.measure(
        plan, users=3, seconds=4, spawn_rate=3, settings_module="peersupport.settings.test", workers=1
    )

    endpoints = summary["endpoints"]
    assert summary["users"] == 3
    # The window's figures hold its requests alone: sign-ins are counted apart.
    assert summary["requests"] == sum(e["requests"] for e in endpoints.values())
    assert summary["rps"] > 0
    assert endpoints["POST autosave"]["requests"] >= 1
    assert endpoints["POST autosave"]["failures"] == 0
    assert endpoints["GET /notes/[id]/edit/"]["failures"] == 0
    assert summary["sign_ins"] == {**summary["sign_ins"], "requests": 3, "failures": 0}
    missing = endpoints[f"GET {BAD_PAGE}"]
    assert missing["failures"] == missing["requests"] > 0
    # Errors count the whole run (a request answered after the window closed too), and here
    # are only the missing page's.
    assert summary["errors"] >= missing["failures"]
    assert [kind.rsplit(" ×", 1)[0] for kind in summary["error_kinds"]] == [f"GET {BAD_PAGE}: 404"]

    rows = load.rows(summary, users=3)
    assert [(r.name, r.passed) for r in rows][2] == ("errors", False)
    assert rows[2].value == summary["errors"]
    # The drafts were saved on the server (a new version each time) and their text put back;
    # no note was made.
    assert SessionNote.objects.count() == notes_before
    saved = {n.pk: n for n in SessionNote.objects.filter(pk__in=[d.pk for d in desks])}
    typed = [d for d in desks if saved[d.pk].version > d.version]
    assert typed
    assert [saved[d.pk].intervention for d in typed] == [d.intervention for d in typed]
