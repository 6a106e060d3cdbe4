"""spaCy component that finds casualty counts ("more than 100" KILLED) in news text.

Registered as the factory "workbench_casualties". Number expressions are found by a
token scan shared by every pipeline; the label comes from the dependency parse when
the pipeline has one and from a token window when it does not (`spacy.blank("en")`).
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from workbench.casualties import (
    NUMBER_WORDS,
    QUALIFIER_PHRASES,
    RANGE_JOINERS,
    RANGE_OPENERS,
    SUFFIX_PHRASES,
    VAGUE_WORDS,
    is_digits,
    match_phrase,
    normalise_count,
)

KILLED = "KILLED"
INJURED = "INJURED"

# Word forms, not lemmas: a blank pipeline has no lemmatizer.
_KILL_PREDICATES = {
    "kill", "kills", "killed", "killing", "die", "dies", "died", "dying", "dead",
    "execute", "executes", "executed", "executing", "massacre", "massacred", "murder",
    "murdered", "murders", "slay", "slain", "slew", "behead", "beheaded", "perish",
    "perished", "assassinated", "lynched", "drowned",
}  # fmt: skip
_KILL_NOUNS = {
    "death", "deaths", "toll", "fatality", "fatalities", "body", "bodies", "corpse",
    "corpses", "homicide", "homicides", "murders", "life", "lives", "dead",
}  # fmt: skip
_INJURE_PREDICATES = {
    "injure", "injures", "injured", "injuring", "wound", "wounds", "wounded", "wounding",
    "hurt", "hurting", "hospitalised", "hospitalized", "hospitalise", "hospitalize", "maimed",
}  # fmt: skip
_INJURE_NOUNS = {"injury", "injuries", "wounded", "injured"}
# Verbs that pass a count through to what they govern ("including 5 children").
_TRANSPARENT = {"include", "including", "includes", "included", "be", "among"}
# Verbs whose subject or object tells what the count is ("the toll rose to 45").
_TOLL_NOUNS = {"toll", "number", "tally", "count", "figure"}
# Counted nouns that are never people.
_NON_PERSON = {
    "explosion", "explosions", "blast", "blasts", "attack", "attacks", "bomb", "bombs",
    "bombing", "bombings", "rocket", "rockets", "missile", "missiles", "shell", "shells",
    "vehicle", "vehicles", "car", "cars", "truck", "trucks", "house", "houses", "home",
    "homes", "building", "buildings", "school", "schools", "village", "villages", "day",
    "days", "week", "weeks", "month", "months", "year", "years", "hour", "hours", "minute",
    "minutes", "time", "times", "percent", "%", "per", "km", "kilometres", "kilometers",
    "miles", "mile", "metres", "meters", "dollars", "points", "point", "magnitude",
    "round", "rounds", "shot", "shots", "aircraft", "plane", "planes", "tank", "tanks",
    "drone", "drones", "strike", "strikes", "airstrike", "airstrikes", "raid", "raids",
    "incident", "incidents", "town", "towns", "city", "cities", "district", "districts",
    "province", "provinces", "country", "countries", "hospital", "hospitals", "mosque",
    "mosques", "church", "churches", "bus", "buses", "cow", "cows", "cattle", "animals",
    "sheep", "goats", "camels", "horses", "dogs", "decades", "cases", "case",
    "suicide", "bomber", "bombers", "gunman", "gunmen", "attacker", "attackers",
    "assailants", "grenades", "grenade", "mortar", "mortars", "storey", "floor", "floors",
    "acres", "hectares", "tonnes", "tons", "shops", "stores", "camps", "camp", "sites",
    "locations", "areas", "parts", "states", "provinces", "nations", "countries", "cents",
    "million", "billion", "times",
}  # fmt: skip
# Words that break a token window: the count belongs to a different clause.
_WINDOW_BREAKS = {".", ";", "!", "?", "when", "after", "while", "as", "because", "but", "who",
                  "which", "since", "before", "although", "though", "where"}
_MISC_PREFIX_BLOCK = {"$", "£", "€", "no.", "number", "aged", "age", "ages", "page", "chapter"}


def _is_number_token(tok: Token) -> bool:
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
    if low == "tens" or low == "hundreds":
        if i + 2 < n and toks[i + 1].lower_ == "of" and toks[i + 2].lower_ == "thousands":
            return i + 3
    if low == "several" and i + 1 < n and toks[i + 1].lower_ in ("dozen", "hundred", "thousand"):
        return i + 2
    if _is_vague_token(toks[i]) and low != "tens":
        return i + 1
    if not _is_number_token(toks[i]):
        return i
    j = i + 1
    while j < n:
        t = toks[j].lower_
        if _is_number_token(toks[j]) and not is_digits(t) and not is_digits(toks[j - 1].lower_):
            j += 1  # "thirty three", "one hundred"
        elif is_digits(toks[j - 1].lower_) and t in ("hundred", "thousand", "million", "billion"):
            j += 1  # "2 million"
        elif t in ("and", "-") and j + 1 < n and not is_digits(toks[j + 1].lower_) \
                and _is_number_token(toks[j + 1]) and toks[j - 1].lower_ in NUMBER_WORDS \
                and (t == "-" or toks[j - 1].lower_ in ("hundred", "thousand", "million")):
            j += 2  # "twenty - five", "one hundred and twenty"
        else:
            break
    return j


def _is_excluded(doc: Doc, start: int, end: int) -> bool:
    """Ages, dates, money, measures and compound modifiers are not counts."""
    prev = doc[start - 1].lower_ if start > 0 else ""
    nxt = doc[end].lower_ if end < len(doc) else ""
    if prev in _MISC_PREFIX_BLOCK or (prev == "of" and start > 1
                                      and doc[start - 2].lower_ in ("ages", "age")):
        return True
    if prev in ("no", "the", "this", "that", "every", "each") and doc[start].lower_ == "one":
        return True
    # "25-year-old", "four-hour-long", "5.7-magnitude": hyphen compounds modify a noun.
    if nxt in ("-", "–") and end + 1 < len(doc) and not _is_number_token(doc[end + 1]) \
            and doc[end + 1].lower_ not in ("plus",):
        return True
    if nxt in ("%", "percent", "per", "pm", "am", "a.m.", "p.m.", ":", "-year", "-years"):
        return True
    tok = doc[start]
    text = tok.text
    if end - start == 1 and text.isdigit() and len(text) == 4 and 1800 <= int(text) <= 2100:
        return True  # a year; counts that large are written with a comma
    # The model's NER is only a hint, but it reliably marks dates like "February 27".
    return tok.ent_type_ in ("DATE", "TIME", "MONEY", "PERCENT", "ORDINAL", "QUANTITY")


def find_number_spans(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of number expressions with their qualifier words, in order."""
    words = [t.text for t in doc]
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(doc):
        start = i
        prefix = match_phrase(words, i, QUALIFIER_PHRASES)
        core = i + prefix[0] if prefix else i
        if core < len(doc) and doc[core].lower_ in RANGE_OPENERS:
            end1 = _number_end(doc, core + 1)
            if end1 > core + 1 and end1 < len(doc) and doc[end1].lower_ in RANGE_JOINERS:
                end2 = _number_end(doc, end1 + 1)
                if end2 > end1 + 1:
                    out.append((start, end2))
                    i = end2
                    continue
        end = _number_end(doc, core) if core < len(doc) else core
        if end == core:
            i += 1
            continue
        suffix = match_phrase(words, end, SUFFIX_PHRASES)
        if suffix and not (words[end].lower() == "or" and end + 2 < len(doc)
                           and doc[end + 2].lower_ in ("than",)):
            end += suffix[0]
        if _is_excluded(doc, core, end):
            i = end
            continue
        out.append((start, end))
        i = end
    return out


def _word_label(tok: Token) -> str | None:
    """KILLED/INJURED if the token itself says so (as predicate or noun), else None."""
    forms = {tok.lower_, tok.lemma_.lower()} if tok.lemma_ else {tok.lower_}
    if forms & _KILL_PREDICATES or forms & _KILL_NOUNS:
        if forms & {"life", "lives"} and not _head_in(tok, {"claim", "lose", "take", "cost"}):
            return None
        return KILLED
    if forms & _INJURE_PREDICATES or forms & _INJURE_NOUNS:
        return INJURED
    return None


def _head_in(tok: Token, lemmas: set[str]) -> bool:
    return tok.head.lemma_.lower() in lemmas or tok.head.lower_ in lemmas


def _negated(tok: Token) -> bool:
    return any(c.dep_ == "neg" for c in tok.children)


def _local_label(noun: Token, span: Span) -> str | None:
    """A trigger attached to the counted noun: "people dead", "of those killed", "deaths"."""
    if noun.i not in range(span.start, span.end):
        label = _word_label(noun)
        if label:
            return label
    for child in noun.children:
        if child.i in range(span.start, span.end):
            continue
        if child.dep_ in ("amod", "acl", "relcl", "oprd", "appos") and _word_label(child):
            return None if _negated(child) else _word_label(child)
        if child.dep_ == "prep" and child.lower_ in ("of", "among"):
            for pobj in child.children:
                label = _word_label(pobj) or next(
                    (_word_label(c) for c in pobj.children
                     if c.dep_ in ("acl", "amod", "relcl") and _word_label(c)), None)
                if label:
                    return label
    return None


def _argument_label(verb: Token, skip: Token) -> str | None:
    """Label from a verb's arguments: "the death toll rose to", "treated for injuries"."""
    for child in verb.children:
        if child is skip:
            continue
        low = child.lemma_.lower() or child.lower_
        if child.dep_ in ("nsubj", "nsubjpass", "dobj", "attr"):
            if low in _TOLL_NOUNS:
                if low == "toll" or child.lower_ == "toll":
                    injured = any(c.lower_ in ("injury", "injured") for c in child.children)
                    return INJURED if injured else KILLED
                for sub in child.subtree:
                    if sub is not child and _word_label(sub):
                        return _word_label(sub)
            if low in ("injury", "injuries"):
                return INJURED
        if child.dep_ in ("acomp", "oprd", "xcomp") and _word_label(child):
            return _word_label(child)
        if child.dep_ == "prep" and child.lower_ in ("for", "with", "in", "among", "of"):
            for pobj in child.children:
                if pobj.lower_ in ("injuries", "injury", "wounds"):
                    return INJURED
                if child.lower_ in ("among", "of") and _word_label(pobj):
                    return _word_label(pobj)
            if verb.lemma_ == "treat" and any(
                    t.lower_ in ("hospital", "hospitals") for t in child.subtree):
                return INJURED
    return None


def _counted_noun(span: Span) -> Token:
    root = span.root
    if root.dep_ in ("nummod", "quantmod", "amod", "advmod", "npadvmod") and root.head.i not in \
            range(span.start, span.end) and root.head.pos_ in ("NOUN", "PROPN", "PRON", "ADJ"):
        return root.head
    return root


def label_parsed(span: Span) -> str | None:
    """Label of a number span from the dependency parse, or None if not a casualty count."""
    noun = _counted_noun(span)
    if noun.lower_ in _NON_PERSON or noun.lemma_.lower() in _NON_PERSON:
        return None
    if noun.lower_ == "casualties" or noun.lemma_ == "casualty":
        return None
    if noun.i in range(span.start, span.end):
        for child in noun.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                if any(p.lower_ in _NON_PERSON for p in child.children):
                    return None
    label = _local_label(noun, span)
    if label:
        return label
    tok = noun
    for _ in range(10):
        head = tok.head
        if head is tok:
            return None
        label = _word_label(head)
        if label and head.lower_ not in ("life", "lives"):
            return None if _negated(head) else label
        if head.pos_ in ("VERB", "AUX"):
            label = _argument_label(head, tok)
            if label or head.lemma_.lower() not in _TRANSPARENT:
                return label
        tok = head
    return None


def _window_label(doc: Doc, start: int, end: int, right: int = 6, left: int = 4) -> str | None:
    """Label from nearby words when there is no parse."""
    for k in range(end, min(end + 3, len(doc))):
        if doc[k].lower_ in _NON_PERSON:
            return None
    prev = doc[start - 1] if start > 0 else None
    if prev is not None and _word_label(prev) and prev.lower_ not in ("dead", "life", "lives"):
        return _word_label(prev)  # "killed 18", "killing nearly 3,000"
    for k in range(end, min(end + right, len(doc))):
        tok = doc[k]
        if tok.lower_ in _WINDOW_BREAKS or (_is_number_token(tok) and k > end):
            break
        if _word_label(tok):
            return _word_label(tok)
    for k in range(start - 1, max(start - left, 0) - 1, -1):
        tok = doc[k]
        if tok.lower_ in _WINDOW_BREAKS or tok.lower_ in ("and", ",") or _is_number_token(tok):
            break
        if _word_label(tok) and tok.lower_ != "dead":
            return _word_label(tok)
    return None


def find_casualties(doc: Doc) -> list[Span]:
    """Casualty spans of a doc, labelled, with value and qualifier extensions set."""
    parsed = doc.has_annotation("DEP")
    spans = []
    for start, end in find_number_spans(doc):
        span = doc[start:end]
        counted = normalise_count(span.text)
        if counted is None:
            continue
        label = label_parsed(span) if parsed else _window_label(doc, start, end)
        if label is None:
            continue
        out = Span(doc, start, end, label=label)
        out._.casualty_value, out._.casualty_qualifier = counted
        spans.append(out)
    return spans


def casualty_attrs(span_text: str) -> dict[str, object]:
    """{"value", "qualifier"} for a span's text via the normaliser; {} if it is not a count."""
    counted = normalise_count(span_text)
    return {} if counted is None else {"value": counted[0], "qualifier": counted[1]}


def _register_extensions() -> None:
    for name in ("casualty_value", "casualty_qualifier"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


class CasualtyFinder:
    """Pipeline component: writes casualty spans to `doc.spans[spans_key]`."""

    def __init__(self, nlp: Language, name: str, spans_key: str) -> None:
        self.name = name
        self.spans_key = spans_key
        _register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[self.spans_key] = find_casualties(doc)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)


@Language.factory("workbench_casualties", default_config={"spans_key": "casualties"})
def make_casualty_finder(nlp: Language, name: str, spans_key: str) -> CasualtyFinder:
    """Build the casualty finder component."""
    return CasualtyFinder(nlp, name, spans_key)


_register_extensions()
