"""Each shipped instrument scored by hand at every band boundary, and its flags."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from outcomes.instruments import parse

DEFINITIONS = Path(__file__).resolve().parent.parent / "definitions"


def spec(code: str):
    for path in DEFINITIONS.glob("*.json"):
        data = json.loads(path.read_text())
        if data["code"] == code:
            return parse(data)
    raise LookupError(code)


def answers(*values: int) -> dict[str, int]:
    return {str(n): v for n, v in enumerate(values, start=1)}


# (code, answers, total, band) worked by hand: both sides of every boundary.
BOUNDARIES = [
    ("PHQ-9", answers(0, 0, 0, 0, 0, 0, 0, 0, 0), 0, "Minimal"),
    ("PHQ-9", answers(1, 1, 1, 1, 0, 0, 0, 0, 0), 4, "Minimal"),
    ("PHQ-9", answers(1, 1, 1, 1, 1, 0, 0, 0, 0), 5, "Mild"),
    ("PHQ-9", answers(3, 3, 3, 0, 0, 0, 0, 0, 0), 9, "Mild"),
    ("PHQ-9", answers(3, 3, 3, 1, 0, 0, 0, 0, 0), 10, "Moderate"),
    ("PHQ-9", answers(2, 2, 2, 2, 2, 2, 2, 0, 0), 14, "Moderate"),
    ("PHQ-9", answers(3, 3, 3, 3, 3, 0, 0, 0, 0), 15, "Moderately severe"),
    ("PHQ-9", answers(3, 3, 3, 3, 3, 3, 1, 0, 0), 19, "Moderately severe"),
    ("PHQ-9", answers(3, 3, 3, 3, 3, 3, 2, 0, 0), 20, "Severe"),
    ("PHQ-9", answers(3, 3, 3, 3, 3, 3, 3, 3, 3), 27, "Severe"),
    ("GAD-7", answers(1, 1, 1, 1, 0, 0, 0), 4, "Minimal"),
    ("GAD-7", answers(1, 1, 1, 1, 1, 0, 0), 5, "Mild"),
    ("GAD-7", answers(3, 3, 3, 0, 0, 0, 0), 9, "Mild"),
    ("GAD-7", answers(3, 3, 3, 1, 0, 0, 0), 10, "Moderate"),
    ("GAD-7", answers(2, 2, 2, 2, 2, 2, 2), 14, "Moderate"),
    ("GAD-7", answers(3, 3, 3, 3, 3, 0, 0), 15, "Severe"),
    ("GAD-7", answers(3, 3, 3, 3, 3, 3, 3), 21, "Severe"),
    ("WHO-5", answers(0, 0, 0, 0, 0), 0, "Poor well-being"),
    ("WHO-5", answers(3, 3, 3, 3, 0), 12, "Poor well-being"),
    ("WHO-5", answers(3, 3, 3, 3, 1), 13, "No sign of poor well-being"),
    ("WHO-5", answers(5, 5, 5, 5, 5), 25, "No sign of poor well-being"),
    # GDS-15: items 1, 5, 7, 11 and 13 score a point for "No" (value 1 on their own scale).
    ("GDS-15", answers(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0, "Normal"),
    ("GDS-15", answers(1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 5, "Normal"),
    ("GDS-15", answers(1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0), 6, "Suggests depression"),
    ("GDS-15", answers(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0), 10, "Suggests depression"),
    ("GDS-15", answers(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0), 11, "Depression very likely"),
    ("GDS-15", answers(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 15, "Depression very likely"),
    ("BARC-10", answers(1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 10, "Below the sustained-remission cut-off"),
    ("BARC-10", answers(5, 5, 5, 5, 5, 5, 5, 4, 4, 3), 46, "Below the sustained-remission cut-off"),
    (
        "BARC-10",
        answers(5, 5, 5, 5, 5, 5, 5, 4, 4, 4),
        47,
        "At or above 47, the score associated with sustained remission",
    ),
    (
        "BARC-10",
        answers(6, 6, 6, 6, 6, 6, 6, 6, 6, 6),
        60,
        "At or above 47, the score associated with sustained remission",
    ),
]


@pytest.mark.parametrize(("code", "given", "total", "band"), BOUNDARIES)
def test_it_scores_and_bands_each_instrument_at_its_boundaries(code, given, total, band):
    score = spec(code).score(given)
    assert (score.total, score.band) == (total, band)


def test_the_totals_run_over_the_published_ranges():
    ranges = {
        code: (spec(code).lowest, spec(code).highest) for code in ["PHQ-9", "GAD-7", "WHO-5", "GDS-15", "BARC-10"]
    }
    assert ranges == {"PHQ-9": (0, 27), "GAD-7": (0, 21), "WHO-5": (0, 25), "GDS-15": (0, 15), "BARC-10": (10, 60)}


def test_who5_gives_the_percentage_score_as_four_times_the_raw_score():
    assert spec("WHO-5").score(answers(3, 3, 3, 3, 1)).scaled == 52
    assert spec("PHQ-9").score(answers(*[0] * 9)).scaled is None


@pytest.mark.parametrize(("item_9", "flagged"), [(0, False), (1, True), (2, True), (3, True)])
def test_phq9_item_9_above_0_is_flagged_for_same_day_follow_up_whatever_the_total(item_9, flagged):
    score = spec("PHQ-9").score(answers(0, 0, 0, 0, 0, 0, 0, 0, item_9))
    assert score.same_day is flagged
    assert score.band == "Minimal"


def test_only_phq9_item_9_raises_the_same_day_flag():
    assert not spec("PHQ-9").score(answers(3, 3, 3, 3, 3, 3, 3, 3, 0)).flags


@pytest.mark.parametrize(("raw", "suggested"), [(12, True), (13, False)])
def test_who5_below_13_suggests_a_depression_screen_without_a_same_day_flag(raw, suggested):
    given = answers(3, 3, 3, 3, raw - 12)
    score = spec("WHO-5").score(given)
    assert bool(score.flags) is suggested
    assert not score.same_day
    if suggested:
        assert "PHQ-9" in score.flags[0].message


def test_an_answer_outside_an_items_scale_is_refused_with_the_allowed_answers():
    with pytest.raises(ValidationError) as raised:
        spec("PHQ-9").score(answers(0, 0, 0, 0, 0, 0, 0, 0, 4))
    assert raised.value.message_dict == {
        "item_9": [
            "Question 9 takes one of: 0 (Not at all), 1 (Several days), 2 (More than half the days), "
            "3 (Nearly every day)."
        ]
    }


def test_a_reverse_keyed_gds_item_takes_only_its_own_values():
    given = answers(*[0] * 15) | {"1": 2}
    assert "item_1" in spec("GDS-15").answer_errors(given)


@pytest.mark.parametrize("bad", [None, "", "two", True, 1.5])
def test_a_missing_or_malformed_answer_names_the_question(bad):
    given = answers(*[0] * 7) | {"3": bad}
    assert list(spec("GAD-7").answer_errors(given)) == ["item_3"]


def test_a_missing_item_and_an_unknown_item_are_both_reported():
    given = answers(0, 0, 0, 0) | {"6": 1}
    errors = spec("WHO-5").answer_errors(given)
    assert errors["item_5"] == "Answer question 5."
    assert errors["__all__"] == "WHO-5 has no question 6."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("licence"), "lacks: licence"),
        (lambda d: d.update(bands=[{"from": 1, "label": "x"}]), "start at the lowest total (0)"),
        (lambda d: d.update(bands=[{"from": 0, "label": "a"}, {"from": 30, "label": "b"}]), "above the highest"),
        (lambda d: d["items"][2].update(number=7), "Item 3"),
        (lambda d: d.update(flags=[{"item": 12, "above": 0, "message": "m"}]), "existing 'item'"),
        (lambda d: d.update(scale=[{"value": 0, "label": "a"}, {"value": 0, "label": "b"}]), "same value"),
    ],
)
def test_a_bad_definition_is_refused_with_what_to_fix(change, message):
    data = json.loads((DEFINITIONS / "phq9.json").read_text())
    change(data)
    with pytest.raises(ValidationError) as raised:
        parse(data)
    assert message in " ".join(raised.value.messages)


@pytest.mark.parametrize(
    "bands",
    [[{"label": "no from"}], ["not an object"], [{"from": True, "label": "a boolean"}], "not a list"],
)
def test_malformed_bands_are_refused_with_a_message_not_a_crash(bands):
    data = json.loads((DEFINITIONS / "phq9.json").read_text()) | {"bands": bands}
    with pytest.raises(ValidationError, match="'bands' start at the lowest total"):
        parse(data)
