"""Number expressions in a spaCy Doc: where a count starts and ends, and what is no count.

A token scan shared by every pipeline (blank or parsed): qualifier words, number
words and digits, ranges and postposed qualifiers, with ages, dates, money and
measures left out. Labels are `casualty_labels.py`'s business.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from workbench.casualties import (
    NUMBER_WORDS,
    QUALIFIER_PHRASES,
    RANGE_JOINERS,
    RANGE_OPENERS,
    SUFFIX_PHRASES,
    VAGUE_WORDS,
    is_digits,
    match_phrase,
)

# Qualifier words kept outside the span (gold treats them as prepositions).
_OUTSIDE_QUALIFIERS = {"towards", "toward"}
_ONE_PRONOUN = {"the", "this", "that", "each", "every", "another", "which", "no"}
_TIME_ADVERBS = {"overnight", "yesterday", "today", "tonight", "earlier", "later"}
_MISC_PREFIX_BLOCK = {
    "$", "£", "€", "no.", "number", "aged", "age", "ages", "page", "chapter", "per",
}  # fmt: skip


# Words that can open a number expression: qualifiers, range openers, number words.
_START_WORDS = (
    {phrase[0] for phrase in QUALIFIER_PHRASES}
    | RANGE_OPENERS
    | NUMBER_WORDS
    | VAGUE_WORDS
    | {"a", "an", "half"}
)


def is_number_token(tok: Token) -> bool:
    low = tok.lower_
    return is_digits(low) or low in NUMBER_WORDS


def _is_vague_token(tok: Token) -> bool:
    return tok.lower_ in VAGUE_WORDS


def _number_end(doc: Doc, i: int) -> int:
    """End (exclusive) of a number core starting at token i, or i if there is none."""
    toks = doc
    n = len(doc)
    low = toks[i].lower_
    if low in ("a", "an") and i + 1 < n and toks[i + 1].lower_ in ("dozen", "hundred", "thousand"):
        return _number_end(doc, i + 1)
    if low == "half" and i + 2 < n and toks[i + 1].lower_ == "a" and toks[i + 2].lower_ == "dozen":
        return i + 3
    of_thousands = i + 2 < n and toks[i + 1].lower_ == "of" and toks[i + 2].lower_ == "thousands"
    if low in ("tens", "hundreds") and of_thousands:
        return i + 3
    if low == "several" and i + 1 < n and toks[i + 1].lower_ in ("dozen", "hundred", "thousand"):
        return i + 2
    if _is_vague_token(toks[i]) and (low != "tens" or (i + 1 < n and toks[i + 1].lower_ == "of")):
        return i + 1  # "tens" alone only as "tens of ...", a vague magnitude like "dozens"
    if not is_number_token(toks[i]):
        return i
    j = i + 1
    while j < n:
        t = toks[j].lower_
        if is_number_token(toks[j]) and not is_digits(t) and not is_digits(toks[j - 1].lower_):
            j += 1  # "thirty three", "one hundred"
        elif is_digits(toks[j - 1].lower_) and t in ("hundred", "thousand", "million", "billion"):
            j += 1  # "2 million"
        elif (
            t in ("and", "-")
            and j + 1 < n
            and not is_digits(toks[j + 1].lower_)
            and is_number_token(toks[j + 1])
            and toks[j - 1].lower_ in NUMBER_WORDS
            and (t == "-" or toks[j - 1].lower_ in ("hundred", "thousand", "million"))
        ):
            j += 2  # "twenty - five", "one hundred and twenty"
        else:
            break
    return j


def _is_excluded(doc: Doc, start: int, end: int) -> bool:
    """Ages, dates, money, measures and compound modifiers are not counts."""
    prev = doc[start - 1].lower_ if start > 0 else ""
    nxt = doc[end].lower_ if end < len(doc) else ""
    if prev in _MISC_PREFIX_BLOCK or (
        prev == "of" and start > 1 and doc[start - 2].lower_ in ("ages", "age")
    ):
        return True
    if prev in ("no", "the", "this", "that", "every", "each") and doc[start].lower_ == "one":
        return True
    if doc[start].lower_ == "one" and start > 1 and doc[start - 2].lower_ in _ONE_PRONOUN:
        return True  # "the previous one", "this latest one": a pronoun, no count
    # "25-year-old", "four-hour-long", "5.7-magnitude": hyphen compounds modify a noun.
    if (
        nxt in ("-", "–")
        and end + 1 < len(doc)
        and not is_number_token(doc[end + 1])
        and doc[end + 1].lower_ not in ("plus",)
    ):
        return True
    if nxt in ("%", "percent", "per", "pm", "am", "a.m.", "p.m.", ":", "-year", "-years"):
        return True
    tok = doc[start]
    text = tok.text
    if end - start == 1 and text.isdigit() and len(text) == 4 and 1800 <= int(text) <= 2100:
        return True  # a year; counts that large are written with a comma
    if tok.ent_type_ in ("MONEY", "PERCENT", "ORDINAL", "QUANTITY"):
        return True
    # The small model tags a bare "32" as DATE now and then, so only trust a DATE/TIME
    # entity that runs past the number ("February 27", "27 May").
    if tok.ent_type_ in ("DATE", "TIME"):
        after = doc[end] if end < len(doc) else None
        if after is not None and after.lower_ in _TIME_ADVERBS:
            return False  # "rose by 14 overnight": the adverb goes with the verb
        return tok.ent_iob_ == "I" or (after is not None and after.ent_iob_ == "I")
    return False


# Words of a change: "rose from 30 to 42" gives two figures, not the range "from 30 to 42".
_CHANGE_WORDS = {
    "rose", "risen", "rise", "rises", "rising", "fell", "fallen", "falls", "falling",
    "increased", "decreased", "dropped", "climbed", "jumped", "up", "down", "declined",
    "went", "grew", "doubled", "revised", "reduced", "cut", "brought", "lowered", "raised",
    "spiked", "surged", "soared",
}  # fmt: skip


def _change(words: list[str], i: int) -> bool:
    """ "from" after a change word (within five words, or after "by N,") opens no range."""
    return any(w in _CHANGE_WORDS for w in words[max(0, i - 5) : i])


def _suffix_opens_next(doc: Doc, end: int, length: int) -> bool:
    """ "10 or more than": the words open the next figure's qualifier, not close this one."""
    after = end + length
    nxt = doc[after].lower_ if after < len(doc) else ""
    if doc[end].lower_ == "or" and nxt == "than":
        return True
    # "killed 10, at least 4 of them": "at least" then a number qualifies that number.
    return doc[end].lower_ == "at" and after < len(doc) and is_number_token(doc[after])


def scan(doc: Doc) -> list[tuple[int, int, int]]:
    """(qualifier start, span start, end) per number expression; they differ for "towards"."""
    words = [t.lower_ for t in doc]
    out: list[tuple[int, int, int]] = []
    i = 0
    while i < len(doc):
        # Cheap pre-filter: most tokens cannot start a count (this loop runs per token).
        if words[i] not in _START_WORDS and not words[i][:1].isdigit():
            i += 1
            continue
        start = i
        prefix = match_phrase(words, i, QUALIFIER_PHRASES)
        core = i + prefix[0] if prefix else i
        if core < len(doc) and doc[core].lower_ in RANGE_OPENERS and not _change(words, core):
            end1 = _number_end(doc, core + 1)
            if end1 > core + 1 and end1 < len(doc) and doc[end1].lower_ in RANGE_JOINERS:
                end2 = _number_end(doc, end1 + 1)
                if end2 > end1 + 1:
                    out.append((start, start, end2))
                    i = end2
                    continue
        end = _number_end(doc, core) if core < len(doc) else core
        if end == core:
            i += 1
            continue
        suffix = match_phrase(words, end, SUFFIX_PHRASES)
        if suffix and not _suffix_opens_next(doc, end, suffix[0]):
            end += suffix[0]
        elif end + 1 < len(doc) and words[end] == "or":
            # "three or four": a range like "between three and four" (value 3, at_least).
            end2 = _number_end(doc, end + 1)
            if end2 > end + 1 and not _is_excluded(doc, end + 1, end2):
                end = end2
        if _is_excluded(doc, core, end):
            i = end
            continue
        # "rose towards 300": the gold keeps the preposition out of the span, but it
        # still makes the figure approximate.
        outside = prefix is not None and words[start] in _OUTSIDE_QUALIFIERS
        out.append((start, core if outside else start, end))
        i = end
    return out
