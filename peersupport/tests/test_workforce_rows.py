"""{% workforce_rows rows %} writes the workforce page's rows as the template it replaced
(issue 16), byte for byte: every certification status and staff state, the invitation's
buttons for a program admin only, escaping, the training shortfall and fractional hours."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from participants.tests.factories import enrolled_participant
from programs.models import SupervisionSession, TrainingRecord
from programs.tests.factories import CertificationFactory, ProgramFactory, StaffProfileFactory

TODAY = timezone.localdate()

# The page's rows as templates/peersupport/workforce.html wrote them before the tag (the
# programs read from the prefetched list, not the related manager).
# fmt: off
TEMPLATE_ROWS = """{% for row in rows %}
      <tr>
        <td data-label="Name"><div><a href="{% url 'programs:profile_detail' row.pk %}">{{ row.user }}</a><br><span class="small text-body-secondary text-break">{{ row.user.email }}</span></div></td>
        <td data-label="Role">{{ row.role|default:"—" }}</td>
        <td data-label="Programs">{% for program in row.program_list %}{{ program.name }}{% if not forloop.last %}, {% endif %}{% empty %}—{% endfor %}</td>
        <td data-label="Supervisor">{{ row.supervisor|default:"—" }}</td>
        <td data-label="Certification"><div>{% if row.certification_status == "valid" %}<span class="badge text-bg-success">Valid</span>{% elif row.certification_status == "expiring" %}<span class="badge text-bg-warning">Expiring</span>{% elif row.certification_status == "expired" %}<span class="badge text-bg-danger">Expired</span>{% else %}<span class="badge text-bg-secondary">None</span>{% endif %}
{% if row.latest_expiry %}<br><span class="small">{{ row.latest_expiry|date:"M j, Y" }}</span>{% endif %}</div></td>
        <td data-label="Status"><div>
          {% if row.staff_state == "active" %}<span class="badge text-bg-success">Active</span>{% elif row.staff_state == "invited" %}<span class="badge text-bg-info">Invited</span>{% elif row.staff_state == "invitation expired" %}<span class="badge text-bg-warning">Invited · link expired</span>{% elif row.staff_state == "invitation withdrawn" %}<span class="badge text-bg-secondary">Invitation withdrawn</span>{% else %}<span class="badge text-bg-secondary">Deactivated</span>{% endif %}

          {% if "Program admin" in user.roles and row.invitation_waiting %}
            <div class="d-flex flex-wrap gap-1 mt-1">
              <form method="post" action="{% url 'accounts:invitation_resend' row.invitation_id %}">{% csrf_token %}<input type="hidden" name="next" value="{{ request.get_full_path }}"><button type="submit" class="btn btn-outline-primary btn-sm">Send again</button></form>
              <form method="post" action="{% url 'accounts:invitation_revoke' row.invitation_id %}">{% csrf_token %}<input type="hidden" name="next" value="{{ request.get_full_path }}"><button type="submit" class="btn btn-outline-danger btn-sm">Withdraw</button></form>
            </div>
          {% endif %}
        </div></td>
        <td data-label="Training"{% if row.training_hours < required_hours %} class="text-danger"{% endif %}>{{ row.training_hours|floatformat:"-1" }} h</td>
        <td data-label="Supervision">{{ row.supervision_hours|floatformat:"-1" }} h</td>
        <td data-label="Caseload">{{ row.caseload_size }}</td>
      </tr>
    {% endfor %}"""  # noqa: E501
# fmt: on


def _staff(agency, supervisor, last_name, *, expires_in=None, hours=None, minutes=None, programs=()):
    user = UserFactory(first_name="Jo & <b>", last_name=last_name, role=Role.PEER_SPECIALIST)
    profile = StaffProfileFactory(user=user, agency=agency, supervisor=supervisor)
    profile.programs.set(programs)
    if expires_in is not None:
        CertificationFactory(profile=profile, expires_on=TODAY + datetime.timedelta(days=expires_in))
    if hours is not None:
        TrainingRecord.objects.create(profile=profile, course="Ethics", hours=hours, completed_on=TODAY)
    if minutes is not None:
        SupervisionSession.objects.create(
            supervisor=supervisor, supervisee=profile, date=TODAY, minutes=minutes, topics="Boundaries"
        )
    return profile


@pytest.fixture
def workforce(agency, admin_user, supervisor, client):
    tricky = ProgramFactory(agency=agency, name="Bridges & <Roads>")
    plain = ProgramFactory(agency=agency, name="Alpha")
    StaffProfileFactory(user=admin_user, agency=agency)
    StaffProfileFactory(user=supervisor, agency=agency)
    _staff(agency, supervisor, "Valid", expires_in=400, hours=Decimal("40.25"), minutes=50, programs=[tricky, plain])
    _staff(agency, supervisor, "Expiring", expires_in=5, hours=Decimal("3"), minutes=120)
    expired = _staff(agency, supervisor, "Expired", expires_in=-5, minutes=7)
    enrolled_participant(expired.user, program=plain)
    _staff(agency, supervisor, "Nothing")
    client.force_login(admin_user)
    client.post(reverse("programs:staff_invite"), {"email": "new@example.org", "first_name": "New",
                "last_name": "Invitee", "role": Role.BILLING})  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin_user", "supervisor"])
@pytest.mark.parametrize("params", [{}, {"sort": "-status", "x": '{0}<&>"{'}])
def test_the_rows_are_the_template_s_byte_for_byte(request, client, workforce, who, params):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("workforce"), params)
    context = response.context
    rows = context["rows"]
    states = {row.staff_state for row in rows}
    if who == "admin_user" and not params:
        assert {"active", "invited"} <= states
        assert {row.certification_status for row in rows} >= {"valid", "expiring", "expired", "none"}
    values = {name: context[name] for name in ("rows", "required_hours", "csrf_token", "user", "request")}
    wrote = Template("{% load workforce_rows %}{% workforce_rows rows %}").render(Context(values))
    assert wrote == Template(TEMPLATE_ROWS).render(Context(values))
    assert wrote.count("<tr>") == len(rows) > 0 and wrote in response.content.decode()
    assert ("Send again" in wrote) == (who == "admin_user" and "invited" in states)
