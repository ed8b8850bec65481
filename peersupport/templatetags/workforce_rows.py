"""{% workforce_rows rows %}: the workforce page's table rows, written in Python (issue 16).

Fifty rows of ten cells were half the page's time in the template engine: some 1,200 variable
lookups, a `{% url %}`, two `floatformat`s and a date a row. This writes the same HTML byte for
byte (pinned against the template it replaced by peersupport/tests/test_workforce_rows.py),
each value escaped as the template escaped it."""

from django import template
from django.template.defaultfilters import floatformat
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe

from accounts.roles import Role
from audit.templatetags.row_figures import day, url_for

register = template.Library()

DASH = "—"
CERTIFICATION_BADGES = {
    "valid": '<span class="badge text-bg-success">Valid</span>',
    "expiring": '<span class="badge text-bg-warning">Expiring</span>',
    "expired": '<span class="badge text-bg-danger">Expired</span>',
}
NO_CERTIFICATION = '<span class="badge text-bg-secondary">None</span>'
STATE_BADGES = {
    "active": '<span class="badge text-bg-success">Active</span>',
    "invited": '<span class="badge text-bg-info">Invited</span>',
    "invitation expired": '<span class="badge text-bg-warning">Invited · link expired</span>',
    "invitation withdrawn": '<span class="badge text-bg-secondary">Invitation withdrawn</span>',
}
DEACTIVATED = '<span class="badge text-bg-secondary">Deactivated</span>'
INVITATION_FORMS = """
            <div class="d-flex flex-wrap gap-1 mt-1">
              <form method="post" action="{resend}">{csrf}<input type="hidden" name="next" value="{next}"><button type="submit" class="btn btn-outline-primary btn-sm">Send again</button></form>
              <form method="post" action="{revoke}">{csrf}<input type="hidden" name="next" value="{next}"><button type="submit" class="btn btn-outline-danger btn-sm">Withdraw</button></form>
            </div>
          """  # noqa: E501
ROW = """
      <tr>
        <td data-label="Name"><div><a href="{url}">{name}</a><br><span class="small text-body-secondary text-break">{email}</span></div></td>
        <td data-label="Role">{role}</td>
        <td data-label="Programs">{programs}</td>
        <td data-label="Supervisor">{supervisor}</td>
        <td data-label="Certification"><div>{certification}
{expiry}</div></td>
        <td data-label="Status"><div>
          {state}

          {invitation}
        </div></td>
        <td data-label="Training"{training_class}>{training} h</td>
        <td data-label="Supervision">{supervision} h</td>
        <td data-label="Caseload">{caseload}</td>
      </tr>
    """  # noqa: E501


def _row(row, *, invitation_forms: str | None, required_hours) -> str:
    programs = [esc(program.name) for program in row.program_list]
    invitation = ""
    if invitation_forms is not None and row.invitation_waiting:
        invitation = invitation_forms.format(
            resend=url_for("accounts:invitation_resend", row.invitation_id),
            revoke=url_for("accounts:invitation_revoke", row.invitation_id),
        )
    return ROW.format(
        url=url_for("programs:profile_detail", row.pk),
        name=esc(row.user),
        email=esc(row.user.email),
        role=esc(row.role or DASH),
        programs=", ".join(programs) or DASH,
        supervisor=esc(row.supervisor or DASH),
        certification=CERTIFICATION_BADGES.get(row.certification_status, NO_CERTIFICATION),
        expiry=f'<br><span class="small">{day(row.latest_expiry)}</span>' if row.latest_expiry else "",
        state=STATE_BADGES.get(row.staff_state, DEACTIVATED),
        invitation=invitation,
        training_class=' class="text-danger"' if row.training_hours < required_hours else "",
        training=floatformat(row.training_hours, "-1"),
        supervision=floatformat(row.supervision_hours, "-1"),
        caseload=row.caseload_size,
    )


@register.simple_tag(takes_context=True)
def workforce_rows(context, rows) -> SafeString:
    """The rows as the page's `{% for row in rows %}` wrote them, whitespace and all."""
    invitation_forms = None
    if Role.PROGRAM_ADMIN in context["user"].roles:
        # Braces doubled: the URLs are put in per row.
        invitation_forms = INVITATION_FORMS.replace("{csrf}", CsrfTokenNode().render(context)).replace(
            "{next}", esc(context["request"].get_full_path()).replace("{", "{{").replace("}", "}}")
        )
    required = context["required_hours"]
    return mark_safe("".join(_row(row, invitation_forms=invitation_forms, required_hours=required) for row in rows))  # noqa: S308 (each value escaped)
