from django import template

register = template.Library()


@register.filter
def audit_details(details: dict) -> str:
    """An audit row's details as a person reads them: "page: note · fields: date, start"."""

    def plain(value) -> str:
        if isinstance(value, dict):
            return ", ".join(f"{key} {plain(inner)}" for key, inner in value.items())
        if isinstance(value, list | tuple):
            return ", ".join(plain(item) for item in value)
        return str(value)

    return " · ".join(f"{key.replace('_', ' ')}: {plain(value)}" for key, value in (details or {}).items())
