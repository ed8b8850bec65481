"""(to be written)"""

title = "Outcomes"


def section(program, start, end) -> dict:
    return {"title": title, "numbers": [], "tables": [], "charts": [], "notes": []}
