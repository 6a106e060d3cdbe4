"""Which casualty label a number expression takes: from the parse, or a token window.

KILLED / INJURED from the words that govern or follow the count ("killed 18", "the
death toll rose to 45", "40 wounded"), nothing for non-people, blockers (missing,
rescued), mixed groups and negations.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from .casualty_numbers import is_number_token

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


def word_label(tok: Token) -> str | None:
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
        label = word_label(noun)
        if label:
            return label
    for child in noun.children:
        if child.i in range(span.start, span.end):
            continue
        if child.dep_ in ("amod", "acl", "relcl", "oprd", "appos") and word_label(child):
            return None if _negated(child) else word_label(child)
        if child.dep_ == "prep" and child.lower_ in ("of", "among"):
            for pobj in child.children:
                label = word_label(pobj) or next(
                    (
                        word_label(c)
                        for c in pobj.children
                        if c.dep_ in ("acl", "amod", "relcl") and word_label(c)
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
                    if sub is not child and word_label(sub):
                        return word_label(sub)
            if low in ("injury", "injuries", "wound", "wounds"):
                return INJURED
            if low in ("life", "lives") and verb.lemma_ in ("lose", "sacrifice"):
                return KILLED
        if child.dep_ in ("acomp", "oprd", "xcomp") and word_label(child):
            return word_label(child)
        if child.dep_ == "prep" and child.lower_ in ("for", "with", "in", "among", "of"):
            for pobj in child.children:
                if any(t.lower_ in ("injuries", "injury", "wounds") for t in pobj.subtree):
                    return INJURED
                if child.lower_ in ("among", "of") and word_label(pobj):
                    return word_label(pobj)
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
        label = word_label(head)
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


def adjacent_label(doc: Doc, start: int, end: int) -> str | None:
    """ "killed 18", "wound 91": a trigger verb right before the count decides its label."""
    if start == 0 or any(doc[k].lower_ in _NON_PERSON for k in range(end, min(end + 3, len(doc)))):
        return None
    prev = doc[start - 1]
    if prev.lower_ in _KILL_PREDICATES - {"dead"} or prev.lower_ in _INJURE_PREDICATES:
        return word_label(prev)
    return None


def following_label(doc: Doc, end: int) -> str | None:
    """ "40 wounded", "11 dead": a trigger word right after the count."""
    if end < len(doc) and doc[end].lower_ in _FOLLOWING:
        return word_label(doc[end])
    return None


def is_mixed(doc: Doc, start: int, end: int) -> bool:
    """ "the dead and wounded", "dead or missing": mixed groups get no span (scheme)."""
    for k in range(end, min(end + 4, len(doc) - 2)):
        first = word_label(doc[k])
        if first and doc[k + 1].lower_ in ("and", "or", "/"):
            other = doc[k + 2]
            second = word_label(other)
            if other.lower_ in ("missing", "unaccounted") or (second and second != first):
                return True
        if first:
            break
    return False


def window_label(doc: Doc, start: int, end: int, right: int = 6, left: int = 4) -> str | None:
    """Label from nearby words when there is no parse."""
    for k in range(end, min(end + 3, len(doc))):
        if doc[k].lower_ in _NON_PERSON:
            return None
    prev = doc[start - 1] if start > 0 else None
    if prev is not None and word_label(prev) and prev.lower_ not in ("dead", "life", "lives"):
        return word_label(prev)  # "killed 18", "killing nearly 3,000"
    for k in range(end, min(end + right, len(doc))):
        tok = doc[k]
        if tok.lower_ in _WINDOW_BREAKS or (is_number_token(tok) and k > end):
            break
        if word_label(tok):
            return word_label(tok)
    for k in range(start - 1, max(start - left, 0) - 1, -1):
        tok = doc[k]
        if tok.lower_ in _WINDOW_BREAKS or tok.lower_ in ("and", ",") or is_number_token(tok):
            break
        if word_label(tok) and tok.lower_ != "dead":
            return word_label(tok)
    return None


def blocked(doc: Doc, end: int) -> bool:
    """ "5 were missing", "30 people were arrested": a non-casualty predicate comes first."""
    for tok in doc[end : end + 4]:
        if word_label(tok) or tok.is_punct:
            return False
        if tok.lower_ in _BLOCKERS:
            return True
    return False


def negated_group(doc: Doc, start: int) -> bool:
    """ "none of the 30 passengers": the count is negated."""
    before = [t.lower_ for t in doc[max(0, start - 4) : start]]
    return "of" in before and any(w in ("none", "neither") for w in before)


def _same_sentence(doc: Doc, a: int, b: int) -> bool:
    return not any(t.lower_ in (".", ";", "\n") or t.is_space for t in doc[a:b])


def subset_label(doc: Doc, found: list, k: int) -> str | None:
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
