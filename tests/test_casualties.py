"""The pure count normaliser: scheme examples, qualifier words, number words, properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.casualties import (
    MAX_COUNT,
    QUALIFIER_PHRASES,
    VERB_QUALIFIERS,
    is_digits,
    is_number_word,
    match_phrase,
    normalise_count,
)
from workbench.model import QUALIFIERS

# The annotation scheme's table, its qualifier lists and the dev README's judgment calls.
SCHEME = [
    ("more than 100", 100, "more_than"),
    ("around 200", 200, "approx"),
    ("nearly 150", 150, "nearly"),
    ("at least 200", 200, "at_least"),
    ("dozens", None, "vague"),
    ("at least 250,000", 250000, "at_least"),
    ("45", 45, "exact"),
    ("two", 2, "exact"),
    ("18", 18, "exact"),
    ("five", 5, "exact"),
    ("a dozen", 12, "approx"),
    ("about 30", 30, "approx"),
    ("some 40", 40, "approx"),
    ("roughly 60", 60, "approx"),
    ("an estimated 300", 300, "approx"),
    ("almost 40", 40, "nearly"),
    ("close to 90", 90, "nearly"),
    ("up to 12", 12, "up_to"),
    ("as many as 30", 30, "up_to"),
    ("as high as 70", 70, "up_to"),
    ("fewer than 10", 10, "less_than"),
    ("less than 10", 10, "less_than"),
    ("under 10", 10, "less_than"),
    ("scores", None, "vague"),
    ("hundreds", None, "vague"),
    ("thousands", None, "vague"),
    ("several", None, "vague"),
    ("between 10 and 30", 10, "at_least"),
    ("One hundred and twenty one", 121, "exact"),
    ("not less than 5", 5, "at_least"),
    ("no fewer than 5", 5, "at_least"),
    ("over 20", 20, "more_than"),
    ("1,200", 1200, "exact"),
    ("a hundred", 100, "exact"),
    ("twenty-five", 25, "exact"),
]


@pytest.mark.parametrize(("text", "value", "qualifier"), SCHEME)
def test_scheme_examples(text: str, value: int | None, qualifier: str) -> None:
    assert normalise_count(text) == (value, qualifier)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Twenty-Five", (25, "exact")),
        ("thirty-three", (33, "exact")),
        ("thirty three", (33, "exact")),
        ("No fewer than thirty three", (33, "at_least")),
        ("one hundred twenty-one", (121, "exact")),
        ("More than a dozen", (12, "more_than")),
        ("half a dozen", (6, "approx")),
        ("two dozen", (24, "approx")),
        ("tens of thousands", (None, "vague")),
        ("hundreds of thousands", (None, "vague")),
        ("several hundred", (None, "vague")),
        ("1.5 million", (1_500_000, "exact")),
        ("2 million", (2_000_000, "exact")),
        ("a thousand", (1000, "exact")),
        ("40 or more", (40, "at_least")),
        ("40-plus", (40, "more_than")),
        ("40+", (40, "more_than")),
        ("10 to 30", (10, "at_least")),
        ("from 10 to 30", (10, "at_least")),
        ("another 40", (40, "exact")),
        ("\u201c50\u201d", (50, "exact")),
        ('"50"', (50, "exact")),
        ("At Least Nine", (9, "at_least")),
        ("  some 12,211 ", (12211, "approx")),
    ],
)
def test_more_constructions(text: str, expected: tuple[int | None, str]) -> None:
    assert normalise_count(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "many",
        "some",
        "a",
        "an",
        "",
        "   ",
        "more than",
        "at least",
        "people",
        "2.5",
        "between 10",
        "one two three four five six seven".replace(" ", "-x-"),
    ],
)
def test_not_counts(text: str) -> None:
    assert normalise_count(text) is None


def test_qualifier_table_uses_scheme_qualifiers() -> None:
    assert set(QUALIFIER_PHRASES.values()) <= set(QUALIFIERS)
    assert set(QUALIFIER_PHRASES.values()) == set(QUALIFIERS) - {"exact", "vague"}


def test_match_phrase_prefers_longest() -> None:
    words = ["no", "fewer", "than", "5"]
    assert match_phrase(words, 0, QUALIFIER_PHRASES) == (3, "at_least")
    assert match_phrase(words, 1, QUALIFIER_PHRASES) == (2, "less_than")
    assert match_phrase(words, 3, QUALIFIER_PHRASES) is None


def test_number_word_helpers() -> None:
    assert is_number_word("Twenty") and is_number_word("1,200") and is_number_word("dozen")
    assert not is_number_word("many") and not is_number_word("people")
    assert is_digits("250,000") and not is_digits("25,00") and not is_digits("2,5000")


@given(st.integers(min_value=0, max_value=10**9))
def test_digits_with_commas_round_trip(n: int) -> None:
    assert normalise_count(f"{n:,}") == (n, "exact")
    assert normalise_count(str(n)) == (n, "exact")


@given(
    st.integers(min_value=1, max_value=999_999),
    st.sampled_from(sorted(QUALIFIER_PHRASES.items())),
)
def test_every_qualifier_phrase_prefixes_any_number(n: int, item) -> None:
    phrase, qualifier = item
    assert normalise_count(f"{' '.join(phrase)} {n:,}") == (n, qualifier)


def _spell(n: int) -> str:
    units = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ]
    tens = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    if n < 20:
        return units[n]
    if n < 100:
        return tens[n // 10] + ("" if n % 10 == 0 else "-" + units[n % 10])
    rest = n % 100
    return units[n // 100] + " hundred" + ("" if rest == 0 else " and " + _spell(rest))


@given(st.integers(min_value=0, max_value=999))
def test_spelled_numbers_round_trip(n: int) -> None:
    assert normalise_count(_spell(n)) == (n, "exact")
    assert normalise_count(_spell(n).replace("-", " ")) == (n, "exact")


@pytest.mark.parametrize(
    "text",
    ["99999999999999999999999", "20,000,000,000", "a billion billion", "40 billion", "9" * 400],
)
def test_values_beyond_max_count_are_not_counts(text: str) -> None:
    assert normalise_count(text) is None


def test_max_count_itself_is_a_count() -> None:
    assert normalise_count(f"{MAX_COUNT:,}") == (MAX_COUNT, "exact")
    assert normalise_count("more than 10 billion") == (MAX_COUNT, "more_than")


@given(st.text(alphabet="0123456789, -abdehilmnortuvy", max_size=40))
def test_normaliser_never_returns_a_value_beyond_max_count(text: str) -> None:
    counted = normalise_count(text)
    assert counted is None or counted[0] is None or 0 <= counted[0] <= MAX_COUNT


# Issue 13: the normaliser's share of the new constructions (sentences' number parts).
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10 at least", (10, "at_least")),
        ("ten at least", (10, "at_least")),
        ("tens", (None, "vague")),
        ("Tens", (None, "vague")),
        ("three or four", (3, "at_least")),
        ("Twenty or thirty", (20, "at_least")),
        ("two or three dozen", (24, "at_least")),
        ("two or three hundred", (200, "at_least")),
        ("between 100 and 2 million", (100, "at_least")),
        ("Thirty-four", (34, "exact")),
        ("Nineteen", (19, "exact")),
    ],
)
def test_event_constructions(text: str, expected: tuple) -> None:
    assert normalise_count(text) == expected


@pytest.mark.parametrize(
    "text", ["a total of", "altogether", "or four", "at least", "three or", "tens of"]
)
def test_not_counts_of_the_new_constructions(text: str) -> None:
    assert normalise_count(text) is None


def test_verb_qualifiers_are_scheme_qualifiers() -> None:
    assert set(VERB_QUALIFIERS.values()) <= set(QUALIFIERS)
    assert VERB_QUALIFIERS["exceeds"] == "more_than" and VERB_QUALIFIERS["nears"] == "nearly"
