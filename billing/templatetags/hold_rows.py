"""{% hold_rows assessments %}: the rows of billing's hold lists (the work page's notes on hold
and those past fixing), written in Python (issue 16).

A page's 50 rows were a third of the work page's time in the template engine (a row's date,
names, reasons with their fix links, and the forms choosing between duplicates). This writes
the same HTML byte for byte: billing/tests/files/hold_rows.html is the template it replaced,
and billing/tests/test_hold_rows.py holds the two to the same output over every kind of row.
Every value is escaped as the template escaped it (conditional_escape)."""

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe

from audit.templatetags.row_figures import day, url_for

register = template.Library()


def _reason(r) -> str:
    if r.fix_url:
        fix = f' <a href="{esc(r.fix_url)}">{esc(r.fix_label or "Fix this")}</a>'
    elif r.fixed_by:
        fix = f" Ask {esc(r.fixed_by)} to fix this."
    else:
        fix = ""
    return f"<li>{esc(r.text)}{fix}</li>"


def _duplicate(a, other, csrf: str) -> str:
    author = esc(other.author)
    return (
        "\n          "
        f'<form method="post" action="{url_for("billing:duplicate_decide", a.note.pk)}" '
        'class="d-flex flex-wrap gap-2 mt-2" aria-label="Which note is billed">\n'
        f'            {csrf}<input type="hidden" name="other" value="{other.pk}">\n'
        '            <button type="submit" class="btn btn-outline-primary btn-sm" name="stands" value="this">'
        f"Bill this note, not {author}'s</button>\n"
        '            <button type="submit" class="btn btn-outline-secondary btn-sm" name="stands" value="other">'
        f"Bill {author}'s note, not this one</button>\n"
        "          </form>\n        "
    )


def _row(a, csrf: str) -> str:
    note = a.note
    group = f" · Group: {esc(note.group.topic)}" if note.group else ""
    heading = f"{esc(day(note.date))} · {esc(note.participant)}{group} · {esc(note.author)}"
    return (
        '\n      <li class="list-group-item">\n'
        f'        <div class="fw-semibold">{heading}</div>\n'
        f'        <ul class="small mb-0">{"".join(_reason(r) for r in a.reasons)}</ul>\n'
        f"        {''.join(_duplicate(a, other, csrf) for other in a.duplicates)}\n"
        "      </li>\n    "
    )


@register.simple_tag(takes_context=True)
def hold_rows(context, assessments) -> SafeString:
    """The rows as the list's `{% for a in page.object_list %}` wrote them, whitespace and all."""
    csrf = CsrfTokenNode().render(context)
    return mark_safe("".join(_row(a, csrf) for a in assessments))  # noqa: S308 (each value escaped)
