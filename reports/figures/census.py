"""(to be written)"""

title = "Census"


def section(program, start, end) -> dict:
    return {"title": title, "numbers": [], "tables": [], "charts": [], "notes": []}
