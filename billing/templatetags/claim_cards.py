"""{% claim_cards claims batch %}: the batch page's claims, written in Python (issue 16).

Each of the page's 25 claims was a card of some thirty lookups, a line list with its own
lookups and filters, and two includes (the status badge and the correction forms): a third of
the largest batch's page in the template engine. This writes the same HTML byte for byte
(pinned against the template it replaced, billing/tests/files/claim_cards.html, by
billing/tests/test_claim_cards.py), each value escaped and localized as the template did.
The claim page writes its correction forms with `{% claim_corrections claim batch %}`, the same
function the cards use, so the forms exist once (their reference template is
billing/tests/files/billing/_claim_corrections.html); billing/_claim_status.html stays the claim
page's."""

from django import template
from django.template.defaultfilters import join, pluralize
from django.template.defaulttags import CsrfTokenNode
from django.utils.safestring import SafeString, mark_safe

from audit.templatetags.row_figures import cents, day, month_day, url_for
from audit.widgets import shown as _v  # `{{ value }}`: localized, then escaped

register = template.Library()

STATUS_BADGES = {
    "paid": "text-bg-success",
    "partly_paid": "text-bg-warning",
    "denied": "text-bg-danger",
    "rejected": "text-bg-danger",
    "reversed": "text-bg-dark",
    "accepted": "text-bg-info",
}
VOID_FORM = """
      <details class="w-100">
        <summary class="btn btn-outline-danger btn-sm">Void…</summary>
        <form method="post" action="{action}" class="mt-2">{csrf}<input type="hidden" name="frequency" value="8">
          <fieldset class="mb-2"><legend class="h6 small">Then, the notes of this claim:</legend>
            <div class="form-check"><input class="form-check-input" type="radio" name="rebill" value="yes" id="rebill-{pk}" required><label class="form-check-label" for="rebill-{pk}">are ready to bill again</label></div>
            <div class="form-check"><input class="form-check-input" type="radio" name="rebill" value="no" id="norebill-{pk}"><label class="form-check-label" for="norebill-{pk}">are not billed again</label></div>
          </fieldset>
          <label class="form-label small" for="reason-{pk}">Why</label>
          <input class="form-control form-control-sm mb-2" name="reason" id="reason-{pk}" maxlength="300">
          <button type="submit" class="btn btn-danger btn-sm">Void the claim</button>
        </form>
      </details>"""  # noqa: E501


def _lines(claim, batch, csrf: str) -> str:
    removable = batch.is_open and claim.frequency == "1"
    rows = []
    for line in claim.line_list:
        remove = ""
        if removable:
            remove = (
                f'<form method="post" action="{_v(url_for("billing:line_remove", line.pk))}" class="d-inline">{csrf}'
                '<button type="submit" class="btn btn-link btn-sm p-0 align-baseline">Remove'
                '<span class="visually-hidden">'
                f" the {_v(month_day(line.service_date))} line</span></button></form>"
            )
        voided = ' class="text-decoration-line-through"' if line.voided else ""
        rows.append(
            f"<li{voided}>{_v(day(line.service_date))}"
            f" · {_v(line.hcpcs)} {join(line.modifiers, ' ', autoescape=True)} · {_v(line.units)}"
            f" unit{_v(pluralize(line.units))} · ${_v(cents(line.charge))} · POS {_v(line.place_of_service)}"
            f"\n          {remove}</li>"
        )
    return "".join(rows)


def _corrections(claim, batch, csrf: str) -> str:
    """The payer's claim number and the replace / void actions of an exported claim. Needs
    `claim.days_left` (corrections.correction_days_left) and `claim.corrections`."""
    pk, payer = _v(claim.pk), _v(batch.payer)
    number = ""
    if batch.is_frozen:
        number = (
            f'\n  <form method="post" action="{_v(url_for("billing:claim_payer_number", claim.pk))}"'
            f' class="d-flex flex-wrap align-items-end gap-2 mb-2">{csrf}\n    <div>'
            f'\n      <label class="form-label small mb-0" for="payer-number-{pk}">{payer}\'s claim number</label>'
            f'\n      <input class="form-control form-control-sm" id="payer-number-{pk}" name="payer_claim_number"'
            f' value="{_v(claim.payer_claim_number)}" maxlength="50" required>\n    </div>'
            '\n    <button type="submit" class="btn btn-outline-secondary btn-sm">Save</button>\n  </form>\n'
        )
    actions = ""
    if (
        batch.is_frozen
        and claim.frequency != "8"
        and claim.status not in ("rejected", "resent")
        and not claim.corrections.all()
    ):
        if claim.days_left is not None and claim.days_left < 0:
            inner = (
                f'\n    <p class="small text-body-secondary mb-0">Past {payer}\'s {_v(batch.payer.correction_days)}-day'
                " limit for corrections: this claim can no longer be replaced or voided.</p>\n  "
            )
        elif claim.payer_claim_number:
            action = _v(url_for("billing:claim_correct", claim.pk))
            inner = (
                f'\n    <div class="d-flex flex-wrap gap-2">\n      <form method="post" action="{action}">{csrf}'
                '<input type="hidden" name="frequency" value="7"><button type="submit" class="btn btn-outline-primary'
                f' btn-sm">Replace</button></form>{VOID_FORM.format(action=action, csrf=csrf, pk=pk)}\n    </div>\n  '
            )
        else:
            inner = (
                '\n    <p class="small text-body-secondary mb-0">To replace or void this claim, first enter the'
                " payer's claim number from its remittance.</p>\n  "
            )
        actions = f"\n  {inner}\n"
    return f"\n{number}\n{actions}\n"


def card(claim, batch, csrf: str) -> str:
    number = _v(claim.claim_number)
    original = f" of {_v(claim.original.claim_number)}" if claim.original else ""
    status = ""
    if batch.is_frozen or batch.is_withdrawn:
        badge = STATUS_BADGES.get(claim.status, "text-bg-light border")
        status = f'\n<span class="badge {badge}">{_v(claim.get_status_display())}</span>\n'
    authorization = f" · Authorization {_v(claim.authorization.number)}" if claim.authorization else ""
    return (
        f'\n  <section class="card mb-3" aria-label="Claim {number}">\n    <div class="card-body">'
        '\n      <div class="d-flex flex-wrap justify-content-between gap-2">'
        f'\n        <h2 class="h6 mb-1"><a href="{_v(url_for("billing:claim_detail", claim.pk))}">{number}</a>'
        f" · {_v(claim.participant)} · {_v(claim.get_billing_program_display())} · ID {_v(claim.member_id)}</h2>"
        f'\n        <span><span class="badge text-bg-secondary">{_v(claim.get_frequency_display())}{original}</span>'
        f"\n          {status}</span>\n      </div>"
        f'\n      <p class="small mb-1">Diagnoses: {join(claim.diagnosis_codes, ", ", autoescape=True)}'
        f"{authorization}</p>"
        f'\n      <ul class="small mb-2">\n        {_lines(claim, batch, csrf)}\n      </ul>'
        f"\n      {_corrections(claim, batch, csrf)}\n    </div>\n  </section>\n"
    )


@register.simple_tag(takes_context=True)
def claim_cards(context, claims, batch) -> SafeString:
    csrf = CsrfTokenNode().render(context)
    return mark_safe("".join(card(claim, batch, csrf) for claim in claims))  # noqa: S308 (escaped above)


@register.simple_tag(takes_context=True)
def claim_corrections(context, claim, batch) -> SafeString:
    """The claim page's corrections: what each card of the batch page ends with."""
    return mark_safe(_corrections(claim, batch, CsrfTokenNode().render(context)))  # noqa: S308 (escaped above)
