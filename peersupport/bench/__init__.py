"""`make bench`: every page, the billing throughput, the monthly report and a load run, measured
against an agency seeded with `seed_demo --scale large`, each row beside its budget (issue 16).

Each part is a module with `run(...) -> list[Row]`; `manage.py bench` runs them in order, prints
one table and writes `bench/results.json`. A row misses its budget when `passed` is false; the
command then exits 1, so a slower change cannot land unnoticed by whoever runs it.
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Row:
    """One measured figure: `value` in `unit`, against `budget` (a sentence a person can read,
    such as "≤ 10× floor, p95 < 300 ms, ≤ 25 queries"), `passed` when every part of it holds.
    `detail` keeps the figures behind the value (median, p95, queries, ratio...)."""

    part: str  # "server time", "billability", "837P", "monthly report", "load"
    name: str
    value: float
    unit: str
    budget: str
    passed: bool
    detail: dict = field(default_factory=dict)


def _rounded(value):
    if isinstance(value, float):
        return round(value, 3)
    return {k: _rounded(v) for k, v in value.items()} if isinstance(value, dict) else value


def write_results(rows: list[Row], path: Path, *, about: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    results = {"about": about, "rows": [_rounded(asdict(r)) for r in rows]}
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


def _figure(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"


def table(rows: list[Row]) -> str:
    """The rows as one Markdown table (the README's "Performance" section is one of these)."""
    out = ["| part | name | value | budget | result |", "|---|---|---|---|---|"]
    for r in rows:
        extra = "".join(f", {k} {_figure(v) if isinstance(v, int | float) else v}" for k, v in r.detail.items())
        result = "pass" if r.passed else "MISS"
        out.append(f"| {r.part} | {r.name} | {_figure(r.value)} {r.unit}{extra} | {r.budget} | {result} |")
    return "\n".join(out)
