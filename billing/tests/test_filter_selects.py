"""The filter selects of billing's long pages (every specialist, payer and program) are written
in Python by audit.widgets.Select (its HTML is held to Django's by audit/tests/test_widgets.py):
no option template rendered per option."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["billing:work", "billing:denial_list"])
def test_no_filter_renders_an_option_template(client, billing_user, payer, page):
    client.force_login(billing_user)
    response = client.get(reverse(page), {"payer": payer.pk})
    assert f'<option value="{payer.pk}" selected>' in response.content.decode()
    rendered = {template.name for template in response.templates}
    assert "django/forms/widgets/select_option.html" not in rendered
