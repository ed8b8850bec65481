"""(to be written)"""

title = "Services"


def section(program, start, end) -> dict:
    return {"title": title, "numbers": [], "tables": [], "charts": [], "notes": []}
