"""The outcome dashboard's figures: the table "at A -> at B" with its paired statistics, the
cost offset, and the charts' data, from the matched pairs `selectors` reads. The same
`Dashboard` feeds the page, the CSV and the XLSX, so they always agree."""

import datetime
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from .kept import kept
from .models import LOOKBACK_DAYS, CheckIn, Instrument, UnitCosts
from .selectors import Cohort, Filters, active_instruments, cohort, exclusion_labels, unit_costs, utilization_rule
from .statistics import METHODS, Change, paired_proportions, paired_values

CENT = Decimal("0.01")

REGRESSION_NOTE = (
    "This compares the same people before and after, without a comparison group, so it can "
    "overstate the effect of peer support: people often enrol at a low point and would improve "
    "somewhat anyway (regression to the mean). Only participants with check-ins at both "
    "timepoints are counted: {excluded} of the {size} enrollments in the cohort were excluded."
)

# Utilization rows of the table: (key in the matched rows, label, hint).
UTILIZATION_ROWS = [
    ("er_visits", "ER visits", ""),
    ("inpatient_days", "Inpatient days", ""),
    ("admissions", "Admissions", "voluntary + involuntary"),
]
# Cost offset: (key in the matched rows, UnitCosts field, label).
COST_ITEMS = [
    ("er_visits", "er_visit", "ER visits"),
    ("inpatient_days", "inpatient_day", "Inpatient days"),
    ("outpatient_visits", "outpatient_visit", "Outpatient visits"),
    ("crisis_calls", "crisis_episode", "Crisis calls (as crisis episodes)"),
    ("jail_days", "jail_day", "Jail days"),
]

COST_METHOD = (
    "Avoided cost: for each matched participant, the utilization of the “{a}” period scaled to "
    "the length of the “{b}” period, minus the utilization of the “{b}” period, times the unit "
    "costs (ER visit, inpatient day, outpatient visit, crisis call as a crisis episode, jail "
    "day), summed over participants; negative when utilization went up. Cost of peer services "
    "for the same participants over the “{b}” period: the charges of their claim lines (voided "
    "lines left out) for notes dated in the period, plus peer hours without a claim (signed "
    "notes in the period that no live claim line bills: grant-funded work, or work not yet "
    "billed; a group's time shared among its attendees), valued at the peer hourly cost. "
    "Return per dollar = avoided cost ÷ cost of peer services."
)

PUBLISHED = [
    (
        "$1.94 in benefits per $1 when a peer specialist is added to a treatment team "
        "(Washington State Institute for Public Policy, benefit-cost results for “Peer support: "
        "Addition of a peer specialist to the treatment team”, December 2023; 84% chance "
        "benefits exceed costs)"
    ),
    (
        "Georgia Medicaid: peer support was associated with $5,991 HIGHER total Medicaid cost "
        "(Landers GM, Zhou M. An analysis of relationships among peer support, psychiatric "
        "hospitalization, and crisis stabilization. Medicare & Medicaid Research Review "
        "2014;4(1))"
    ),
]


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    kind: str  # share, money, rate or score
    change: Change
    totals: tuple[int, int] | None = None
    hint: str = ""
    short: str = ""  # the chart's label, when the table's is long

    def _value(self, value: float | None) -> str:
        if value is None:
            return "—"
        if self.kind == "share":
            return f"{value * 100:.0f}%"
        if self.kind == "money":
            return f"${value:,.0f}"
        return f"{value:.2f}" if self.kind == "rate" else f"{value:.1f}"

    def _difference(self, value: float) -> str:
        if self.kind == "share":
            return f"{value * 100:+.0f} points"
        if self.kind == "money":
            return f"{'+' if value >= 0 else '−'}${abs(value):,.0f}"
        return f"{value:+.2f}" if self.kind == "rate" else f"{value:+.1f}"

    @property
    def at_a(self) -> str:
        return self._value(self.change.before)

    @property
    def at_b(self) -> str:
        return self._value(self.change.after)

    @property
    def difference(self) -> str:
        return "—" if self.change.change is None else self._difference(self.change.change)

    @property
    def ci(self) -> str:
        if not self.change.has_ci:
            return "—"
        return f"{self._difference(self.change.ci_low)} to {self._difference(self.change.ci_high)}"

    @property
    def p_value(self) -> str:
        p = self.change.p_value
        if p is None:
            return self.change.verdict or "—"
        return "< 0.001" if p < 0.001 else f"{p:.3f}"

    @property
    def chart_value(self) -> tuple[float | None, float | None]:
        scale = 100 if self.kind == "share" else 1
        before, after = self.change.before, self.change.after
        return (
            None if before is None else round(before * scale, 2),
            None if after is None else round(after * scale, 2),
        )


def dollars(amount: Decimal) -> str:
    return f"−${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


@dataclass(frozen=True)
class CostItem:
    label: str
    expected: Decimal  # the "A" rate over the "B" period's days
    actual: int
    avoided: Decimal

    @property
    def avoided_text(self) -> str:
        return dollars(self.avoided)


@dataclass(frozen=True)
class CostOffset:
    costs: UnitCosts | None
    n: int = 0
    items: tuple[CostItem, ...] = ()
    avoided: Decimal = Decimal("0")
    billed: Decimal = Decimal("0")
    grant_hours: Decimal = Decimal("0")
    # Participants with no session recorded in the period: their services were never entered
    # (history kept elsewhere), so the cost side, and the return, leave them out unseen.
    without_services: int = 0

    @property
    def grant_cost(self) -> Decimal:
        rate = self.costs.peer_hourly_cost if self.costs else Decimal("0")
        return (self.grant_hours * rate).quantize(CENT, ROUND_HALF_UP)

    @property
    def cost(self) -> Decimal:
        return self.billed + self.grant_cost

    @property
    def per_dollar(self) -> Decimal | None:
        return (self.avoided / self.cost).quantize(CENT, ROUND_HALF_UP) if self.cost > 0 else None

    def text(self) -> dict[str, str]:
        """The amounts as the page and the downloads show them."""
        names = ("avoided", "billed", "grant_cost", "cost")
        shown = {name: dollars(getattr(self, name)) for name in names}
        shown["per_dollar"] = f"{dollars(self.per_dollar)} per $1" if self.per_dollar is not None else ""
        shown["hourly"] = dollars(self.costs.peer_hourly_cost) if self.costs else ""
        return shown


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    cohort: Cohort
    rows: list[Row]
    cost: CostOffset
    as_of: datetime.datetime | None = None  # when the figures were computed (`kept`)

    @property
    def exclusions(self) -> list[tuple[str, int]]:
        return exclusion_labels(self.filters, self.cohort.excluded)

    @property
    def rule(self) -> str:
        return utilization_rule(self.filters)

    @property
    def note(self) -> str:
        return REGRESSION_NOTE.format(excluded=self.cohort.excluded_count, size=self.cohort.size)

    @property
    def methods(self) -> list[str]:
        return [METHODS["mcnemar"], METHODS["wilcoxon"]]

    @property
    def cost_method(self) -> str:
        return COST_METHOD.format(a=self.filters.a_label, b=self.filters.b_label)

    @property
    def published(self) -> list[str]:
        return PUBLISHED

    def charts(self) -> dict:
        groups = [
            ("chart-status", "Housed and employed (%)", ("housed", "employed")),
            ("chart-utilization", "Utilization per person per 6 months", {k for k, _, _ in UTILIZATION_ROWS}),
            ("chart-scores", "Average scores", None),
        ]
        charts = []
        a, b = self.filters.a_label, self.filters.b_label
        for chart_id, title, keys in groups:
            rows = [r for r in self.rows if r.change.n and (r.key in keys if keys else r.kind == "score")]
            if rows:
                values = [r.chart_value for r in rows]
                summary = "; ".join(f"{r.label}: {r.at_a} at {a}, {r.at_b} at {b}" for r in rows)
                charts.append(
                    {
                        "id": chart_id,
                        "title": title,
                        "summary": f"Bar chart, {title}. {summary}.",
                        "labels": [r.short or r.label for r in rows],
                        "a": [v[0] for v in values],
                        "b": [v[1] for v in values],
                    }
                )
        return {"a": self.filters.a_label.capitalize(), "b": self.filters.b_label.capitalize(), "charts": charts}


def _rate(count: int, days: int) -> float:
    return count * LOOKBACK_DAYS / days


def table_rows(matched: list[dict], instruments: list[Instrument]) -> list[Row]:
    def pairs(key):
        return [(row[f"a_{key}"], row[f"b_{key}"]) for row in matched]

    # The model's rule for "housed" and "employed" (CheckIn.housed, .employed), applied to the
    # values the matched-pairs query returns, so the dashboard cannot drift from it.
    housed = [(CheckIn(housing=a).housed, CheckIn(housing=b).housed) for a, b in pairs("housing")]
    employed = [(CheckIn(employment=a).employed, CheckIn(employment=b).employed) for a, b in pairs("employment")]
    rows = [
        Row("housed", "Housed (own or rent)", "share", paired_proportions(housed), short="Housed"),
        Row("employed", "Employed (full or part time)", "share", paired_proportions(employed), short="Employed"),
        Row("income", "Average monthly income from work", "money", paired_values(pairs("income"))),
    ]
    timed = [row for row in matched if row["a_days"] > 0 and row["b_days"] > 0]
    for key, label, hint in UTILIZATION_ROWS:
        rates = [(_rate(r[f"a_{key}"], r["a_days"]), _rate(r[f"b_{key}"], r["b_days"])) for r in timed]
        totals = (sum(r[f"a_{key}"] for r in timed), sum(r[f"b_{key}"] for r in timed))
        change = paired_values(rates)
        row = Row(key, f"{label} per person per 6 months", "rate", change, totals, hint=hint, short=label)
        rows.append(row)
    for index, instrument in enumerate(instruments):
        scores = [(a, b) for a, b in pairs(f"score_{index}") if a is not None and b is not None]
        if scores:
            better = "higher" if instrument.spec.higher_is_better else "lower"
            hint = f"{instrument.spec.lowest}–{instrument.spec.highest}, {better} is better"
            label = f"{instrument.code}: average score"
            rows.append(Row(instrument.code, label, "score", paired_values(scores), hint=hint, short=instrument.code))
    return rows


def cost_offset(matched: list[dict], costs: UnitCosts | None) -> CostOffset:
    """Avoided cost and cost of peer services over the participants whose two periods both
    cover some days (a period of no days can't be scaled)."""
    if costs is None:
        return CostOffset(None)
    timed = [row for row in matched if row["a_days"] > 0 and row["b_days"] > 0]
    items = []
    for key, cost_field, label in COST_ITEMS:
        expected = sum((Decimal(r[f"a_{key}"]) * r["b_days"] / r["a_days"] for r in timed), Decimal("0"))
        actual = sum(r[f"b_{key}"] for r in timed)
        avoided = ((expected - actual) * getattr(costs, cost_field)).quantize(CENT, ROUND_HALF_UP)
        items.append(CostItem(label, expected.quantize(Decimal("0.1"), ROUND_HALF_UP), actual, avoided))
    minutes = sum((r["grant_time"] or datetime.timedelta(0) for r in timed), datetime.timedelta(0))
    return CostOffset(
        costs,
        n=len(timed),
        items=tuple(items),
        avoided=sum((item.avoided for item in items), Decimal("0")),
        billed=sum((r["billed"] for r in timed), Decimal("0")),
        grant_hours=(Decimal(minutes.total_seconds()) / 3600).quantize(CENT, ROUND_HALF_UP),
        without_services=sum(1 for r in timed if not r["billed"] and not r["grant_time"]),
    )


def computed_dashboard(filters: Filters, today: datetime.date, instruments, costs) -> Dashboard:
    """The figures, straight from the database."""
    people = cohort(filters, [i.code for i in instruments], today)
    return Dashboard(filters, people, table_rows(people.matched, instruments), cost_offset(people.matched, costs))


def outcome_dashboard(filters: Filters, today: datetime.date, *, fresh: bool = False) -> Dashboard:
    """The figures, as kept for a few minutes (`kept`: computed again when a check-in,
    assessment or enrollment of the program changes, or `fresh`), with when they were
    computed."""
    instruments = active_instruments()
    costs = unit_costs(filters.program)
    parts = (
        filters.as_dict(),
        today,
        [(i.pk, i.code) for i in instruments],
        costs and [getattr(costs, f.attname) for f in costs._meta.concrete_fields],
    )
    data, as_of = kept(
        "dashboard",
        filters.program.pk,
        parts,
        lambda: computed_dashboard(filters, today, instruments, costs),
        fresh=fresh,
    )
    return replace(data, as_of=as_of)
