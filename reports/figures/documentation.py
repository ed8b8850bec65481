"""(to be written)"""

title = "Documentation"


def section(program, start, end) -> dict:
    return {"title": title, "numbers": [], "tables": [], "charts": [], "notes": []}
