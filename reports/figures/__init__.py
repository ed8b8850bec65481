"""The report's figures, one module per section. Each module has

    title: str
    def section(program, start, end) -> dict

returning a JSON-safe dict in the one shape every renderer reads (the page, the PDF, the XLSX
and the CSV), so a section is written once and shown four ways:

    {
      "key": "census",                      # the module's name
      "title": "Census",
      "numbers": [                          # headline figures
        {"label": "Participants served", "value": 42, "unit": ""},   # unit: "", "%", "$", "h", "days"
      ],
      "tables": [
        {"title": "Discharges by reason",
         "columns": ["Reason", "Participants"],
         "kinds": ["text", "int"],          # per column: text, int, decimal, money, percent, date
         "rows": [["Goals met", 3], ...],
         "total": ["Total", 5]}             # optional
      ],
      "charts": [                           # optional; drawn on the page, listed as tables elsewhere
        {"id": "services-by-week", "title": "Sessions by week", "type": "bar",
         "labels": ["Nov 3", ...], "series": [{"label": "Sessions", "values": [12, ...]}]}
      ],
      "notes": ["How a figure is counted, in a sentence."]
    }

Numbers are ints, or strings of decimals ("12.50") for money and hours so JSON keeps them
exact; dates are ISO strings. Every figure is computed in the database with aggregates, in a
number of queries that does not grow with the data.
"""

from . import billing, census, documentation, outcomes, services, workforce

SECTIONS = [census, services, documentation, billing, workforce, outcomes]


def all_sections(program, start, end, *, progress=None) -> list[dict]:
    """Every section in order; `progress(percent, stage)` is told as each one is done."""
    result = []
    for index, module in enumerate(SECTIONS):
        if progress:
            progress(int(100 * index / len(SECTIONS)), f"Counting {module.title.lower()}")
        result.append({"key": module.__name__.rsplit(".", 1)[-1], **module.section(program, start, end)})
    return result
