"""Instruments defined as data. A definition file (see `definitions/`) gives the items, the
answer scale, the bands, the flags, the licence and the source; this module checks a
definition and scores answers against it. Nothing here knows one instrument from another,
so a new instrument is a new file, loaded with `manage.py load_instrument PATH`."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

REQUIRED_KEYS = ("code", "version", "name", "licence", "source", "scale", "items", "bands")


@dataclass(frozen=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    number: int
    text: str
    options: tuple[Option, ...]

    @property
    def values(self) -> frozenset[int]:
        return frozenset(option.value for option in self.options)


@dataclass(frozen=True)
class Band:
    low: int  # the band holds totals from `low` up to the next band's low, exclusive
    high: int
    label: str


@dataclass(frozen=True)
class Flag:
    message: str
    same_day: bool
    item: int | None = None  # raised when this item's answer is above `above`...
    above: int | None = None
    total_below: int | None = None  # ...or when the total is below this

    def raised_by(self, answers: dict[int, int], total: int) -> bool:
        if self.item is not None:
            return answers[self.item] > self.above
        return total < self.total_below


@dataclass(frozen=True)
class Score:
    total: int
    scaled: int | None
    band: str
    flags: tuple[Flag, ...] = field(default=())

    @property
    def same_day(self) -> bool:
        return any(flag.same_day for flag in self.flags)


@dataclass(frozen=True)
class Definition:
    code: str
    version: int
    name: str
    measures: str
    prompt: str
    licence: str
    source: str
    higher_is_better: bool
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    flags: tuple[Flag, ...]
    multiplier: int | None
    scaled_label: str

    @property
    def lowest(self) -> int:
        return sum(min(item.values) for item in self.items)

    @property
    def highest(self) -> int:
        return sum(max(item.values) for item in self.items)

    def answer_errors(self, answers: dict) -> dict[str, str]:
        """Per item (`item_<n>`), what is wrong with the answers given, in words a person can
        act on. An empty dict means every item is answered from its own scale."""
        errors = {}
        given = {str(key): value for key, value in answers.items()}
        for item in self.items:
            value = given.get(str(item.number))
            if value is None or value == "":
                errors[f"item_{item.number}"] = f"Answer question {item.number}."
                continue
            if _whole_number(value) not in item.values:
                allowed = ", ".join(f"{o.value} ({o.label})" for o in item.options)
                errors[f"item_{item.number}"] = f"Question {item.number} takes one of: {allowed}."
        extra = {str(key) for key in answers} - {str(item.number) for item in self.items}
        if extra:
            errors["__all__"] = f"{self.code} has no question {', '.join(sorted(extra))}."
        return errors

    def clean_answers(self, answers: dict) -> dict[int, int]:
        errors = self.answer_errors(answers)
        if errors:
            raise ValidationError(errors)
        return {
            item.number: _whole_number(answers.get(item.number, answers.get(str(item.number)))) for item in self.items
        }

    def score(self, answers: dict) -> Score:
        clean = self.clean_answers(answers)
        total = sum(clean.values())
        band = next(band.label for band in reversed(self.bands) if total >= band.low)
        return Score(
            total=total,
            scaled=total * self.multiplier if self.multiplier else None,
            band=band,
            flags=tuple(flag for flag in self.flags if flag.raised_by(clean, total)),
        )


def _whole_number(value) -> int | None:
    """An answer as posted ("2") or stored (2); anything else (1.5, True, "--1", "²") is no
    answer."""
    if _is_int(value):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,6}", value.strip()):
        return int(value)
    return None


def _options(raw, where: str) -> tuple[Option, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise ValidationError(f"{where}: the scale needs at least two answers.")
    options = []
    for entry in raw:
        if not isinstance(entry, dict) or not _is_int(entry.get("value")) or not entry.get("label"):
            raise ValidationError(f"{where}: each answer needs a whole-number 'value' and a 'label'.")
        options.append(Option(entry["value"], str(entry["label"])))
    if len({o.value for o in options}) != len(options):
        raise ValidationError(f"{where}: two answers have the same value.")
    return tuple(options)


def parse(data: dict) -> Definition:
    """Check a definition and build it; a bad file gets a message naming what to fix."""
    if not isinstance(data, dict):
        raise ValidationError("A definition is a JSON object.")
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise ValidationError(f"The definition lacks: {', '.join(missing)}.")
    if not _is_int(data["version"]) or data["version"] < 1:
        raise ValidationError("'version' is a whole number from 1.")
    code = str(data["code"]).strip()
    if not code or len(code) > 30:
        raise ValidationError("'code' is a short name such as PHQ-9 (at most 30 characters).")
    scale = _options(data["scale"], "scale")
    if not isinstance(data["items"], list):
        raise ValidationError("'items' is a list.")
    items = []
    for n, raw in enumerate(data["items"], start=1):
        if not isinstance(raw, dict) or raw.get("number") != n or not raw.get("text"):
            raise ValidationError(f"Item {n}: each item needs 'number' {n} (in order) and 'text'.")
        options = _options(raw["scale"], f"item {n}") if "scale" in raw else scale
        items.append(Item(n, str(raw["text"]), options))
    if not items:
        raise ValidationError("The definition has no items.")
    lowest = sum(min(i.values) for i in items)
    highest = sum(max(i.values) for i in items)
    bands = _bands(data["bands"], lowest, highest)
    if not isinstance(data.get("flags", []), list):
        raise ValidationError("'flags' is a list.")
    flags = tuple(_flag(raw, len(items)) for raw in data.get("flags", []))
    scaled = data.get("scaled") or {}
    if not isinstance(scaled, dict) or not isinstance(scaled.get("multiplier", 1), int):
        raise ValidationError("'scaled' is an object with a whole-number 'multiplier' and a 'label'.")
    return Definition(
        code=code,
        version=data["version"],
        name=str(data["name"]),
        measures=str(data.get("measures", "")),
        prompt=str(data.get("prompt", "")),
        licence=str(data["licence"]),
        source=str(data["source"]),
        higher_is_better=bool(data.get("higher_is_better", False)),
        items=tuple(items),
        bands=bands,
        flags=flags,
        multiplier=scaled.get("multiplier"),
        scaled_label=str(scaled.get("label", "")),
    )


def _bands(raw, lowest: int, highest: int) -> tuple[Band, ...]:
    rule = f"'bands' start at the lowest total ({lowest}) and rise, each with a whole-number 'from' and a 'label'."
    if not isinstance(raw, list) or not all(isinstance(b, dict) and b.get("label") for b in raw):
        raise ValidationError(rule)
    lows = [band.get("from") for band in raw]
    if not all(_is_int(x) for x in lows) or not lows or lows[0] != lowest or lows != sorted(set(lows)):
        raise ValidationError(rule)
    if lows[-1] > highest:
        raise ValidationError(f"A band starts above the highest total ({highest}).")
    highs = [low - 1 for low in lows[1:]] + [highest]
    return tuple(Band(low, high, str(band["label"])) for low, high, band in zip(lows, highs, raw, strict=True))


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _flag(raw: dict, item_count: int) -> Flag:
    if not isinstance(raw, dict) or not raw.get("message"):
        raise ValidationError("Each flag needs a 'message'.")
    if "item" in raw:
        if raw["item"] not in range(1, item_count + 1) or not isinstance(raw.get("above"), int):
            raise ValidationError("An item flag names an existing 'item' and a whole-number 'above'.")
        return Flag(str(raw["message"]), bool(raw.get("same_day")), item=raw["item"], above=raw["above"])
    if not isinstance(raw.get("total_below"), int):
        raise ValidationError("A flag has either 'item' and 'above', or 'total_below'.")
    return Flag(str(raw["message"]), bool(raw.get("same_day")), total_below=raw["total_below"])
