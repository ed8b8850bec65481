"""(to be written)"""

title = "Billing"


def section(program, start, end) -> dict:
    return {"title": title, "numbers": [], "tables": [], "charts": [], "notes": []}
