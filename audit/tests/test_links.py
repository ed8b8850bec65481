"""Hold links are built from a URL reversed once per name (audit.links.url_for), not reverse()
per hold: the same URL as reverse() gives, under whatever script prefix the request has."""

import pytest
from django.urls import reverse, set_script_prefix

from audit.links import url_for


@pytest.mark.parametrize("name", ["participants:detail", "notes:note_detail", "programs:profile_detail"])
@pytest.mark.parametrize("pk", [1, 7, 2147483647, 123456])
def test_url_for_is_reverse(name, pk):
    assert url_for(name, pk) == reverse(name, args=[pk])


def test_url_for_follows_the_script_prefix():
    url_for("participants:detail", 5)  # cached under the default prefix first
    set_script_prefix("/agency/")
    try:
        assert url_for("participants:detail", 5) == reverse("participants:detail", args=[5])
        assert url_for("participants:detail", 5).startswith("/agency/")
    finally:
        set_script_prefix("/")
