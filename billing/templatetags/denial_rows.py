"""{% load denial_rows %}: `{% denial_row line appealed %}` writes one row of the denial queue
(billing/views/denials.py) in Python, the HTML the row's template wrote byte for byte (pinned by
billing/tests/test_denial_rows.py against that template, kept there as the reference).

A row is a line's figures, its claim and its three actions (correct, appeal, write off), each a
form of its own posted to the line's URL: some 190 values and tags, so the template rendered for
each of the page's 50 rows was most of the page (its include, a dozen `{% if %}` and three
`{% csrf_token %}` a row). Here each value is escaped once and the row joined from its parts."""

from django import template
from django.template.defaultfilters import join, pluralize, truncatechars
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import escape
from django.utils.safestring import mark_safe

from audit.templatetags.row_figures import cents, day, money, month_day, url_for

register = template.Library()


def _days_left(line) -> str:
    days = line.days_left
    if days < 0:
        past = line.days_past
        return (
            f'<span class="badge text-bg-danger">past the limit</span> '
            f'<span class="small">by {past} day{pluralize(past)}</span>'
        )
    if line.urgent:
        return f'<span class="badge text-bg-warning">{days} day{pluralize(days)}</span>'
    return f"{days} days"


def _correct(line, claim, payer: str, hidden: str) -> str:
    if not claim.payer_claim_number:
        return (
            f'<p class="small">To correct it, first enter {payer}\'s claim number on '
            f'<a href="{url_for("billing:claim_detail", line.claim_id)}">its claim page</a>: '
            "a replacement names the payer's claim.</p>"
        )
    if line.days_left < 0:
        past = line.days_past
        return (
            f'<p class="small">Too late to correct: past {payer}\'s limit by {past} day{pluralize(past)}. '
            "Appeal or write it off.</p>"
        )
    return (
        f'<form method="post" action="{url_for("billing:denial_correct", line.pk)}" class="mb-3">{hidden}\n'
        '            <button type="submit" class="btn btn-primary btn-sm">Correct and resubmit</button>\n'
        '            <p class="small text-body-secondary mb-0">A replacement of all of '
        f"{escape(claim.claim_number)}, in a new batch to export.</p>\n"
        "          </form>"
    )


def _appeal(line, pk: str, hidden: str) -> str:
    return (
        f'\n          <form method="post" action="{url_for("billing:denial_appeal", line.pk)}" '
        f'class="mb-3 border-top pt-2">{hidden}\n'
        f'            <label class="form-label small mb-0" for="appealed-on-{pk}">Appeal sent on</label>\n'
        '            <input class="form-control form-control-sm mb-1" type="date" name="appealed_on" '
        f'id="appealed-on-{pk}" required>\n'
        f'            <label class="form-label small mb-0" for="appeal-note-{pk}">What it asks, what was sent</label>\n'
        '            <textarea class="form-control form-control-sm mb-1" name="note" '
        f'id="appeal-note-{pk}" rows="2" maxlength="1000" required></textarea>\n'
        '            <button type="submit" class="btn btn-outline-primary btn-sm">Record the appeal</button>\n'
        "          </form>\n        "
    )


def _write_off(line, pk: str, hidden: str) -> str:
    still = cents(line.open_denied)
    return (
        f'<form method="post" action="{url_for("billing:denial_write_off", line.pk)}" '
        f'class="border-top pt-2">{hidden}\n'
        f'          <label class="form-label small mb-0" for="write-off-amount-{pk}">Amount to write off</label>\n'
        '          <input class="form-control form-control-sm mb-1" type="number" step="0.01" min="0.01" '
        f'name="amount" id="write-off-amount-{pk}" placeholder="{still}" aria-describedby="write-off-help-{pk}">\n'
        f'          <div class="form-text small" id="write-off-help-{pk}">Empty: all ${still} still denied.</div>\n'
        f'          <label class="form-label small mb-0" for="write-off-reason-{pk}">Why</label>\n'
        '          <input class="form-control form-control-sm mb-1" name="reason" '
        f'id="write-off-reason-{pk}" maxlength="300" required>\n'
        '          <button type="submit" class="btn btn-outline-danger btn-sm">Write off</button>\n'
        "        </form>"
    )


def row(line, *, appealed: bool, back: str, csrf: str) -> str:
    """The row's HTML: see the module."""
    pk = f"{line.pk:d}"
    claim = line.claim
    payer = escape(claim.batch.payer)
    number = escape(claim.claim_number)
    claim_url = url_for("billing:claim_detail", line.claim_id)
    hidden = f'{csrf}<input type="hidden" name="back" value="{escape(back)}">'
    written_off = (
        f'<br><span class="small text-body-secondary">${cents(line.written_off)} written off</span>'
        if line.written_off
        else ""
    )
    denied = f", denied {day(claim.adjudicated_on)}" if claim.adjudicated_on else ""
    if appealed:
        last = (
            f'\n    <td data-label="Appealed">{day(line.appealed_on)}<br>'
            f'<span class="small">{escape(truncatechars(line.appeal_note, 120))}</span></td>\n  '
        )
    else:
        last = f'\n    <td data-label="Days left">{_days_left(line)}</td>\n  '
    return (
        f'<tr id="line-{pk}">\n'
        f'  <td data-label="Participant">{escape(claim.participant)}</td>\n'
        f'  <td data-label="Service date">{day(line.service_date)}</td>\n'
        f'  <td data-label="Code">{escape(line.hcpcs)} {join(line.modifiers, " ")}</td>\n'
        f'  <td data-label="Charge" class="text-end">${money(line.charge)}</td>\n'
        f'  <td data-label="Paid" class="text-end">${money(line.paid)}</td>\n'
        f'  <td data-label="Denied" class="text-end">${money(line.open_denied)}{written_off}</td>\n'
        f'  <td data-label="Reason">{escape(line.denial_reason or "—")}</td>\n'
        f'  <td data-label="Claim"><span><a href="{claim_url}">{number}</a><br>'
        f'<span class="small text-body-secondary">{payer}{denied}</span></span></td>\n'
        f"  {last}\n"
        "  <td>\n"
        "    <details>\n"
        f'      <summary class="btn btn-outline-primary btn-sm">Work it<span class="visually-hidden">: '
        f"{escape(line.hcpcs)} of {month_day(line.service_date)}, {number}</span></summary>\n"
        '      <div class="mt-2 denial-actions">\n'
        f"        \n          {_correct(line, claim, payer, hidden)}\n        \n"
        f"        {'' if appealed else _appeal(line, pk, hidden)}\n"
        f"        {_write_off(line, pk, hidden)}\n"
        "      </div>\n"
        "    </details>\n"
        "  </td>\n"
        "</tr>\n"
    )


@register.simple_tag(takes_context=True)
def denial_row(context, line, appealed) -> str:
    return mark_safe(row(line, appealed=appealed, back=context.get("back", ""), csrf=CsrfTokenNode().render(context)))  # noqa: S308
