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
    "perished", "assassinated", "lynched", "drowned", "gunned",
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
    "locations", "areas", "parts", "states", "nations", "cents",
    "side", "sides", "million", "billion",
}  # fmt: skip
# Predicates that are not casualties in the scheme (missing, arrested, rescued ...).
_BLOCKERS = {
    "missing", "arrested", "rescued", "evacuated", "displaced", "kidnapped", "abducted",
    "trapped", "detained", "homeless", "unaccounted", "captured", "freed", "released",
}  # fmt: skip
# Qualifier words kept outside the span (gold treats them as prepositions).
_OUTSIDE_QUALIFIERS = {"towards", "toward"}
# Trigger words that label a count they directly follow ("40 wounded", "11 dead").
_FOLLOWING = {"killed", "dead", "died", "wounded", "injured", "hurt", "slain"}
# Words that break a token window: the count belongs to a different clause.
_WINDOW_BREAKS = {
    ".",
    ";",
    "!",
    "?",
    "when",
    "after",
    "while",
    "as",
    "because",
    "but",
    "who",
    "which",
    "since",
    "before",
    "although",
    "though",
    "where",
}
_MISC_PREFIX_BLOCK = {"$", "£", "€", "no.", "number", "aged", "age", "ages", "page", "chapter"}


# Words that can open a number expression: qualifiers, range openers, number words.
_START_WORDS = (
    {phrase[0] for phrase in QUALIFIER_PHRASES}
    | RANGE_OPENERS
    | NUMBER_WORDS
    | VAGUE_WORDS
    | {"a", "an", "half"}
)


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
    of_thousands = i + 2 < n and toks[i + 1].lower_ == "of" and toks[i + 2].lower_ == "thousands"
    if low in ("tens", "hundreds") and of_thousands:
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
        elif (
            t in ("and", "-")
            and j + 1 < n
            and not is_digits(toks[j + 1].lower_)
            and _is_number_token(toks[j + 1])
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
    # "25-year-old", "four-hour-long", "5.7-magnitude": hyphen compounds modify a noun.
    if (
        nxt in ("-", "–")
        and end + 1 < len(doc)
        and not _is_number_token(doc[end + 1])
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
        return tok.ent_iob_ == "I" or (after is not None and after.ent_iob_ == "I")
    return False


def _scan(doc: Doc) -> list[tuple[int, int, int]]:
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
        if core < len(doc) and doc[core].lower_ in RANGE_OPENERS:
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
        if suffix and not (
            words[end].lower() == "or" and end + 2 < len(doc) and doc[end + 2].lower_ in ("than",)
        ):
            end += suffix[0]
        if _is_excluded(doc, core, end):
            i = end
            continue
        # "rose towards 300": the gold keeps the preposition out of the span, but it
        # still makes the figure approximate.
        outside = prefix is not None and words[start] in _OUTSIDE_QUALIFIERS
        out.append((start, core if outside else start, end))
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
                    (
                        _word_label(c)
                        for c in pobj.children
                        if c.dep_ in ("acl", "amod", "relcl") and _word_label(c)
                    ),
                    None,
                )
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
            if low in ("injury", "injuries", "wound", "wounds"):
                return INJURED
            if low in ("life", "lives") and verb.lemma_ in ("lose", "sacrifice"):
                return KILLED
        if child.dep_ in ("acomp", "oprd", "xcomp") and _word_label(child):
            return _word_label(child)
        if child.dep_ == "prep" and child.lower_ in ("for", "with", "in", "among", "of"):
            for pobj in child.children:
                if any(t.lower_ in ("injuries", "injury", "wounds") for t in pobj.subtree):
                    return INJURED
                if child.lower_ in ("among", "of") and _word_label(pobj):
                    return _word_label(pobj)
            if verb.lemma_ == "treat" and child.lower_ == "for":
                return INJURED  # "treated for injuries / burns / smoke inhalation"
            if verb.lemma_ == "treat" and any(
                t.lower_ in ("hospital", "hospitals") for t in child.subtree
            ):
                return INJURED
    return None


def _counted_noun(span: Span) -> Token:
    root = span.root
    if (
        root.dep_ in ("nummod", "quantmod", "amod", "advmod", "npadvmod")
        and root.head.i not in range(span.start, span.end)
        and root.head.pos_ in ("NOUN", "PROPN", "PRON", "ADJ")
    ):
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
            # "dozens of homes": the counted thing is the object of "of".
            if child.lower_ == "of" and any(p.lower_ in _NON_PERSON for p in child.children):
                return None
    label = _local_label(noun, span)
    if label:
        return label
    tok = noun
    for _ in range(10):
        head = tok.head
        if head is tok or head.lower_ in ("none", "neither"):
            return None  # "none of the 30 passengers were hurt"
        if head.lemma_ == "treat" and noun.lemma_ == "patient":
            return INJURED
        label = _word_label(head)
        if label and head.lower_ not in ("life", "lives"):
            return None if _negated(head) else label
        if head.pos_ in ("VERB", "AUX"):
            label = _argument_label(head, tok)
            if label or head.lemma_.lower() not in _TRANSPARENT:
                return label
            # "5 were missing": a copula with its own complement says what they were.
            if any(c.dep_ in ("acomp", "attr") and c is not tok for c in head.children):
                return None
        tok = head
    return None


def _adjacent_label(doc: Doc, start: int, end: int) -> str | None:
    """ "killed 18", "wound 91": a trigger verb right before the count decides its label."""
    if start == 0 or any(doc[k].lower_ in _NON_PERSON for k in range(end, min(end + 3, len(doc)))):
        return None
    prev = doc[start - 1]
    if prev.lower_ in _KILL_PREDICATES - {"dead"} or prev.lower_ in _INJURE_PREDICATES:
        return _word_label(prev)
    return None


def _following_label(doc: Doc, end: int) -> str | None:
    """ "40 wounded", "11 dead": a trigger word right after the count."""
    if end < len(doc) and doc[end].lower_ in _FOLLOWING:
        return _word_label(doc[end])
    return None


def _is_mixed(doc: Doc, start: int, end: int) -> bool:
    """ "the dead and wounded", "dead or missing": mixed groups get no span (scheme)."""
    for k in range(end, min(end + 4, len(doc) - 2)):
        first = _word_label(doc[k])
        if first and doc[k + 1].lower_ in ("and", "or", "/"):
            other = doc[k + 2]
            second = _word_label(other)
            if other.lower_ in ("missing", "unaccounted") or (second and second != first):
                return True
        if first:
            break
    return False


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
    found: list[tuple[int, int, str | None, tuple[int | None, str]]] = []
    for qual_start, start, end in _scan(doc):
        counted = normalise_count(doc[qual_start:end].text)
        if counted is None or _is_mixed(doc, start, end) or _negated_group(doc, qual_start):
            continue
        label = _adjacent_label(doc, qual_start, end)
        if label is None and _blocked(doc, end):
            continue
        if label is None:
            span = doc[qual_start:end]
            label = label_parsed(span) if parsed else _window_label(doc, qual_start, end)
        if label is None:
            label = _following_label(doc, end)
        found.append((start, end, label, counted))
    spans = []
    for k, (start, end, label, counted) in enumerate(found):
        label = label or _subset_label(doc, found, k)
        if label is None:
            continue
        out = Span(doc, start, end, label=label)
        out._.casualty_value, out._.casualty_qualifier = counted
        spans.append(out)
    return spans


def _blocked(doc: Doc, end: int) -> bool:
    """ "5 were missing", "30 people were arrested": a non-casualty predicate comes first."""
    for tok in doc[end : end + 4]:
        if _word_label(tok) or tok.is_punct:
            return False
        if tok.lower_ in _BLOCKERS:
            return True
    return False


def _negated_group(doc: Doc, start: int) -> bool:
    """ "none of the 30 passengers": the count is negated."""
    before = [t.lower_ for t in doc[max(0, start - 4) : start]]
    return "of" in before and any(w in ("none", "neither") for w in before)


def _same_sentence(doc: Doc, a: int, b: int) -> bool:
    return not any(t.lower_ in (".", ";", "\n") or t.is_space for t in doc[a:b])


def _subset_label(doc: Doc, found: list, k: int) -> str | None:
    """A count linked by "including" / "of them" to a labelled count takes its label."""
    start, end = found[k][0], found[k][1]
    before = {t.lower_ for t in doc[max(0, start - 3) : start]}
    after = [t.lower_ for t in doc[end : end + 3]]
    if before & {"including", "among", "-", "–", "—"} or after[:2] in (
        ["of", "them"],
        ["of", "whom"],
    ):
        for prev in reversed(found[:k]):
            if prev[2] and start - prev[1] <= 15 and _same_sentence(doc, prev[1], start):
                return prev[2]
    if "including" in {t.lower_ for t in doc[end : end + 4]}:
        for nxt in found[k + 1 :]:
            if nxt[2] and nxt[0] - end <= 6:
                return nxt[2]
    return None


def casualty_attrs(span_text: str) -> dict[str, object]:
    """{"value", "qualifier"} for a span's text via the normaliser; {} if it is not a count."""
    counted = normalise_count(span_text)
    return {} if counted is None else {"value": counted[0], "qualifier": counted[1]}


def _register_extensions() -> None:
    for name in ("casualty_value", "casualty_qualifier"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


# Stored with every suggestion: bump it when the rules change, so `workbench suggest`
# recomputes documents suggested by older rules.
RULES_VERSION = "2"


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
