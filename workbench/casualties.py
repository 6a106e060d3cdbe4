"""Pure count normaliser: "more than 100" -> (100, "more_than"); no spaCy, no I/O.

The qualifier table, the number vocabulary and the vague magnitude words live here
so that the span finder (`casualty_rules.py`) and the TUI share one definition.
"""

from __future__ import annotations

import re

from text_to_num import text2num

# Qualifier phrases before a number, as lowercase word tuples. Longest match wins,
# so "no fewer than" beats "fewer than". Spelled as in the annotation scheme.
QUALIFIER_PHRASES: dict[tuple[str, ...], str] = {
    ("more", "than"): "more_than",
    ("over",): "more_than",
    ("upwards", "of"): "more_than",
    ("upward", "of"): "more_than",
    ("in", "excess", "of"): "more_than",
    ("greater", "than"): "more_than",
    ("above",): "more_than",
    ("at", "least"): "at_least",
    ("not", "less", "than"): "at_least",
    ("no", "less", "than"): "at_least",
    ("not", "fewer", "than"): "at_least",
    ("no", "fewer", "than"): "at_least",
    ("a", "minimum", "of"): "at_least",
    ("around",): "approx",
    ("about",): "approx",
    ("some",): "approx",
    ("roughly",): "approx",
    ("approximately",): "approx",
    ("an", "estimated"): "approx",
    ("estimated",): "approx",
    ("circa",): "approx",
    ("nearly",): "nearly",
    ("almost",): "nearly",
    ("close", "to"): "nearly",
    ("closer", "to"): "nearly",
    ("towards",): "nearly",
    ("toward",): "nearly",
    ("just", "under"): "nearly",
    ("up", "to"): "up_to",
    ("as", "many", "as"): "up_to",
    ("as", "high", "as"): "up_to",
    ("as", "much", "as"): "up_to",
    ("fewer", "than"): "less_than",
    ("less", "than"): "less_than",
    ("under",): "less_than",
    ("below",): "less_than",
}

# Qualifiers written after the number: "40 or more", "40-plus", "40 or so", "10 at least".
SUFFIX_PHRASES: dict[tuple[str, ...], str] = {
    ("or", "more"): "at_least",
    ("at", "least"): "at_least",
    ("or", "so"): "approx",
    ("plus",): "more_than",
    ("+",): "more_than",
    ("odd",): "approx",
}

# Verbs that carry the qualifier of the figure they take: "the death toll exceeds
# 146,000" is `146,000` more_than (the verb stays out of the span). Word forms, as the
# blank pipeline has no lemmas.
VERB_QUALIFIERS: dict[str, str] = {
    **dict.fromkeys(
        ("exceed", "exceeds", "exceeded", "exceeding", "surpass", "surpasses", "surpassed",
         "surpassing", "tops", "topped", "topping", "passes", "passed", "crossed",
         "crosses"),
        "more_than",
    ),
    **dict.fromkeys(
        ("nears", "neared", "nearing", "approaches", "approached", "approaching"), "nearly"
    ),
}  # fmt: skip

# Range openers: "between 10 and 30" is one span, lower bound, at_least.
RANGE_OPENERS = frozenset({"between", "from"})
RANGE_JOINERS = frozenset({"and", "to", "-", "–", "or"})

# Magnitude words with no stated value (value None, qualifier vague).
VAGUE_WORDS = frozenset(
    {"dozens", "scores", "hundreds", "thousands", "millions", "tens", "several", "numerous"}
)

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
NUMBER_WORDS = frozenset(UNITS) | frozenset(TENS) | frozenset(SCALES) | {"dozen"}

# The largest value that is a count of people. Anything beyond it ("99999999999999999999999
# people were killed") is not a count: the normaliser returns None, so the finder gives no
# span and no stored or exported value ever exceeds it (orjson cannot encode ints > 2**64).
MAX_COUNT = 10**10

_DETERMINERS = frozenset({"another", "the", "all"})
_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+(?:\.\d+)?$")
_SPLIT = re.compile(r"\s+|(?<=[A-Za-z])-(?=[A-Za-z])")
_QUOTES = "\"'“”‘’`«»()[],.;:"


def is_digits(word: str) -> bool:
    """True for "18", "1,200", "250,000", "1.5"."""
    return bool(_DIGITS.match(word))


def is_number_word(word: str) -> bool:
    """True for a spelled number word ("twenty", "hundred", "dozen") or digits."""
    w = word.lower()
    return w in NUMBER_WORDS or is_digits(w)


def _by_first_word(
    table: dict[tuple[str, ...], str],
) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for phrase, qualifier in sorted(table.items(), key=lambda kv: -len(kv[0])):
        index.setdefault(phrase[0], []).append((phrase, qualifier))
    return index


# Phrase tables indexed by first word, longest phrase first: match_phrase runs per token.
_INDEXES = {
    id(QUALIFIER_PHRASES): _by_first_word(QUALIFIER_PHRASES),
    id(SUFFIX_PHRASES): _by_first_word(SUFFIX_PHRASES),
}


def match_phrase(
    words: list[str], i: int, table: dict[tuple[str, ...], str]
) -> tuple[int, str] | None:
    """Longest phrase of `table` starting at words[i]: (length, qualifier) or None."""
    if i >= len(words):
        return None
    index = _INDEXES.get(id(table)) or _by_first_word(table)
    for phrase, qualifier in index.get(words[i].lower(), ()):
        n = len(phrase)
        if tuple(w.lower() for w in words[i : i + n]) == phrase:
            return n, qualifier
    return None


def _words(text: str) -> list[str]:
    text = text.strip().strip(_QUOTES).replace("–", " - ")
    # "40+" and "40-plus" carry a suffix qualifier glued to the number.
    text = re.sub(r"(\d)\+", r"\1 +", text)
    text = re.sub(r"(\d)-(plus|odd)\b", r"\1 \2", text, flags=re.I)
    return [w.strip(_QUOTES) for w in _SPLIT.split(text) if w.strip(_QUOTES)]


def _number(words: list[str]) -> tuple[int | None, str] | None:
    """Value and intrinsic qualifier of a bare number expression (no qualifier words)."""
    if not words:
        return None
    low = [w.lower() for w in words]
    if low in (["tens", "of", "thousands"], ["hundreds", "of", "thousands"]):
        return None, "vague"
    if len(low) == 1 and low[0] in VAGUE_WORDS:
        return None, "vague"
    if len(low) == 2 and low[0] == "several" and low[1] in (*SCALES, "dozen"):
        return None, "vague"
    if low[-1] == "dozen":
        # "a dozen", "two dozen", "half a dozen": round figures, so approx.
        head = low[:-1]
        if head in ([], ["a"]):
            return 12, "approx"
        if head == ["half", "a"]:
            return 6, "approx"
        mult = _number(words[:-1])
        if mult is None or mult[0] is None:
            return None
        return mult[0] * 12, "approx"
    if is_digits(low[0]):
        digits = low[0].replace(",", "")
        if len(digits.split(".")[0]) > 12:
            return None  # far beyond MAX_COUNT; float would also lose the digits
        value = float(digits)
        rest = low[1:]
        if rest and all(w in SCALES for w in rest):
            for w in rest:
                value *= SCALES[w]
        elif rest:
            return None
        if value != int(value):
            return None
        return int(value), "exact"
    if low[0] in ("a", "an") and len(low) > 1 and low[1] in SCALES:
        low = ["one", *low[1:]]
    if not all(w in NUMBER_WORDS or w == "and" for w in low) or low[0] == "and":
        return None
    try:
        return int(text2num(" ".join(low), "en")), "exact"
    except ValueError:
        return None


def _range(words: list[str]) -> tuple[int | None, str] | None:
    """Lower bound of "10 and 30" / "10 to 30" as at_least, else None."""
    for k, w in enumerate(words):
        if k and w.lower() in RANGE_JOINERS:
            low_words, up_words = words[:k], words[k + 1 :]
            scale = up_words[-1].lower() if up_words else ""
            bare = _number(low_words)
            if (
                (scale in SCALES or scale == "dozen")
                and bare is not None
                and bare[0] is not None
                and bare[0] < 100
                and low_words[-1].lower() not in SCALES
            ):
                low_words = [*low_words, scale]  # "two or three dozen": the scale is shared
            lower, upper = _number(low_words), _number(up_words)
            if lower and upper and lower[0] is not None and upper[0] is not None:
                return lower[0], "at_least"
    return None


def normalise_count(text: str) -> tuple[int | None, str] | None:
    """(value, qualifier) for a casualty number expression, or None if it is not a count.

    A value above MAX_COUNT is not a count: None, never an int beyond it.
    """
    counted = _normalise(text)
    if counted is not None and counted[0] is not None and not 0 <= counted[0] <= MAX_COUNT:
        return None
    return counted


def _normalise(text: str) -> tuple[int | None, str] | None:
    words = _words(text)
    while len(words) > 1 and words[0].lower() in _DETERMINERS:
        # "another 40", "the 17": determiners are not part of the count.
        words = words[1:]
    qualifier = None
    prefix = match_phrase(words, 0, QUALIFIER_PHRASES) if words else None
    if prefix is not None:
        qualifier = prefix[1]
        words = words[prefix[0] :]
    if words and words[0].lower() in RANGE_OPENERS:
        return _range(words[1:])
    if len(words) >= 2:
        for n in (2, 1):
            hit = match_phrase(words, len(words) - n, SUFFIX_PHRASES) if len(words) > n else None
            if hit is not None and hit[0] == n:
                words = words[:-n]
                qualifier = qualifier or hit[1]
                break
    core = _number(words)
    if core is None:
        # "10 to 30", "two or three": a range without "between".
        return _range(words) if qualifier is None else None
    value, intrinsic = core
    if intrinsic == "vague":
        return None, "vague"
    return value, qualifier or intrinsic
