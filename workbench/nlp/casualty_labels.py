"""Which casualty label a number expression takes: from the parse, or a token window.

KILLED / INJURED from the words that govern or follow the count ("killed 18", "the
death toll rose to 45", "40 wounded"), nothing for non-people, blockers (missing,
rescued), mixed groups and negations.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

KILLED = "KILLED"
INJURED = "INJURED"

# Word forms, not lemmas: a blank pipeline has no lemmatizer.
KILL_PREDICATES = {
    "kill", "kills", "killed", "killing", "die", "dies", "died", "dying", "dead",
    "execute", "executes", "executed", "executing", "massacre", "massacred", "murder",
    "murdered", "murders", "slay", "slain", "slew", "behead", "beheaded", "perish",
    "perished", "assassinated", "lynched", "drowned", "gunned", "succumb", "succumbs",
    "succumbed", "succumbing", "martyr", "martyred", "electrocuted", "deceased",
}  # fmt: skip
_KILL_NOUNS = {
    "death", "deaths", "toll", "fatality", "fatalities", "body", "bodies", "corpse",
    "corpses", "homicide", "homicides", "murders", "life", "lives", "dead", "killings",
    "martyrs",
}  # fmt: skip
INJURE_PREDICATES = {
    "injure", "injures", "injured", "injuring", "wound", "wounds", "wounded", "wounding",
    "hurt", "hurting", "hospitalised", "hospitalized", "hospitalise", "hospitalize", "maimed",
}  # fmt: skip
_INJURE_NOUNS = {"injury", "injuries", "wounded", "injured"}
# Verbs that pass a count through to what they govern ("including 5 children").
_TRANSPARENT = {"include", "including", "includes", "included", "be", "among"}
# Verbs whose subject or object tells what the count is ("the toll rose to 45").
_TOLL_NOUNS = {"toll", "number", "tally", "count", "figure", "rate", "total"}
# Toll nouns that, bare ("the rate spiked to"), mean what they meant earlier in the text.
_BACK_TOLLS = {"rate", "tally", "count", "total"}
# Verbs a count noun moves with: "homicides rose to 312", "deaths topped 50".
_CHANGE_VERBS = {
    "rise", "fall", "climb", "increase", "decrease", "drop", "go", "jump", "reach", "stand",
    "total", "hit", "spike", "surge", "exceed", "top", "soar", "decline", "number",
}  # fmt: skip
CHANGE_NOUNS = {"increase", "rise", "decrease", "drop", "fall", "decline", "jump"}
# Verbs that hedge or report a trigger right after them: "feared killed".
_HEDGE_VERBS = {"fear", "believe", "presume", "confirm", "report", "think", "know", "declare"}
# People whose loss is a death ("she lost three of her children").
_KIN = {
    "child", "children", "son", "sons", "daughter", "daughters", "relative", "relatives",
    "brother", "brothers", "sister", "sisters", "husband", "wife", "wives", "parent",
    "parents", "grandchildren", "grandchild", "cousin", "cousins", "member", "members",
    "kin", "ones",
}  # fmt: skip
# The hospital words of an injured person: "in critical condition".
CONDITIONS = {"critical", "serious", "stable", "grave", "fair", "satisfactory"}
# Illness is neither label: the hospitalised or treated for these are patients, not injured.
ILLNESS = {
    "disease", "diseases", "illness", "illnesses", "virus", "fever", "infection",
    "infections", "dengue", "cholera", "malaria", "measles", "covid", "covid-19",
    "coronavirus", "flu", "influenza", "ebola", "pneumonia", "diarrhoea", "diarrhea",
    "symptoms", "outbreak", "epidemic", "tuberculosis", "typhoid", "meningitis", "mpox",
}  # fmt: skip
# Counted nouns that are never people.
NON_PERSON = {
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
    "side", "sides", "million", "billion", "family", "families", "household", "households",
    "infections", "infection", "tests", "suspects", "arrests",
}  # fmt: skip
# Predicates that are not casualties in the scheme (missing, arrested, rescued ...).
BLOCKERS = {
    "missing", "arrested", "rescued", "evacuated", "displaced", "kidnapped", "abducted",
    "trapped", "detained", "homeless", "unaccounted", "captured", "freed", "released",
    "sickened", "infected", "stranded", "searched", "sought", "survived", "saved",
}  # fmt: skip
# Words that break a token window: the count belongs to a different clause.
WINDOW_BREAKS = {
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
    if forms & KILL_PREDICATES or forms & _KILL_NOUNS:
        if forms & {"life", "lives"} and not _head_in(tok, {"claim", "lose", "take", "cost"}):
            return None
        return KILLED
    if forms & INJURE_PREDICATES or forms & _INJURE_NOUNS:
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
        if child.dep_ in ("acl", "relcl") and child.pos_ == "VERB" and not _negated(child):
            label = _argument_label(child, noun)
            if label:
                return label  # "11 people who lost their lives", "people taken to hospital"
        if child.dep_ == "prep" and child.lower_ == "with" and _injury_words(child):
            return INJURED  # "11 people with minor injuries"
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
                if low in _BACK_TOLLS:
                    label = _earlier_toll_label(child)
                    if label:
                        return label
            if low in ("injury", "injuries", "wound", "wounds"):
                return INJURED
            if low in ("life", "lives") and verb.lemma_ in ("lose", "sacrifice"):
                return KILLED
            if child.dep_ in ("nsubj", "nsubjpass") and verb.lemma_ in _CHANGE_VERBS:
                label = _count_noun_label(child)
                if label:
                    return label  # "homicides rose to 312"
            if low in _KIN and verb.lemma_ == "lose" and child.dep_ == "dobj":
                return KILLED  # "she lost two sons"
        if child.dep_ in ("acomp", "oprd", "xcomp") and word_label(child):
            return word_label(child)
        hedged = child.dep_ in ("advcl", "ccomp") and 0 < child.i - verb.i <= 3
        if hedged and verb.lemma_ in _HEDGE_VERBS and word_label(child):
            return word_label(child)  # "were feared killed", "were reported killed"
        if child.dep_ == "xcomp" and child is not skip and _argument_label(child, skip):
            return _argument_label(child, skip)  # "one is said to be in stable condition"
        if _to_death(child):
            return KILLED  # "trampled to death", "beaten to death"
        if _to_hospital(verb, child):
            return INJURED  # "taken to hospital", "rushed to hospital"
        if child.dep_ == "prep" and child.lower_ in ("for", "with", "in", "among", "of"):
            for pobj in child.children:
                if any(t.lower_ in ("injuries", "injury", "wounds") for t in pobj.subtree):
                    return INJURED
                if child.lower_ == "in" and _hospital_condition(pobj) and _subject(skip):
                    return INJURED  # "two are in critical condition"
                if child.lower_ in ("among", "of"):
                    label = word_label(pobj) or _clause_label(pobj)
                    if label:
                        return label  # "among the dead", "among those who drowned"
            if verb.lemma_ == "treat" and child.lower_ == "for":
                return INJURED  # "treated for injuries / burns / smoke inhalation"
            if verb.lemma_ == "treat" and any(
                t.lower_ in ("hospital", "hospitals") for t in child.subtree
            ):
                return INJURED
    return None


def _injury_words(tok: Token) -> bool:
    return any(t.lower_ in ("injuries", "injury", "wounds", "burns") for t in tok.subtree)


def _to_hospital(verb: Token, prep: Token) -> bool:
    return (
        verb.lemma_ in ("take", "rush", "admit", "airlift", "fly", "carry", "ferry")
        and prep.dep_ == "prep"
        and prep.lower_ == "to"
        and any(p.lower_ in ("hospital", "hospitals") for p in prep.children)
    )


def _to_death(prep: Token) -> bool:
    return (
        prep.dep_ == "prep"
        and prep.lower_ == "to"
        and any(p.lower_ in ("death", "deaths") for p in prep.children)
    )


def _hospital_condition(noun: Token) -> bool:
    """ "in critical condition", "in intensive care"."""
    if noun.lower_ == "care":
        return any(a.lower_ == "intensive" for a in noun.children)
    return noun.lower_ in ("condition", "conditions") and any(
        a.lower_ in CONDITIONS for a in noun.children
    )


def _subject(tok: Token) -> bool:
    return tok.dep_ in ("nsubj", "nsubjpass")


def _clause_label(noun: Token) -> str | None:
    """A trigger in a clause on the noun: "those who drowned", "those killed"."""
    for c in noun.children:
        if c.dep_ in ("acl", "amod", "relcl") and not _negated(c):
            label = word_label(c) or (_argument_label(c, noun) if c.pos_ == "VERB" else None)
            if label:
                return label
    return None


def _count_noun_label(noun: Token) -> str | None:
    """The label of a noun that is itself a count of the dead or hurt ("murders", "deaths")."""
    if noun.lower_ in _KILL_NOUNS - {"life", "lives", "toll", "body", "corpse"} or noun.lower_ in (
        "murders",
        "injuries",
    ):
        return word_label(noun)
    return None


def _earlier_toll_label(noun: Token) -> str | None:
    """ "the rate spiked to N" after "the murder rate": the toll noun keeps its meaning."""
    doc = noun.doc
    for k in range(noun.i - 1, max(noun.i - 80, 0) - 1, -1):
        tok = doc[k]
        if tok.lower_ == "toll" and k >= noun.sent.start:
            return INJURED if doc[k - 1].lower_ in ("injury", "injured") else KILLED
        if tok.lemma_ == noun.lemma_ and tok.lower_ == noun.lower_:
            for sub in tok.children:
                if sub.dep_ in ("compound", "amod", "nmod") and word_label(sub):
                    return word_label(sub)
    return None


def _shared_subject_label(verb: Token) -> str | None:
    """ "was shot in the head and died": a coordinated verb with no subject of its own."""
    for c in verb.children:
        own_subject = any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children)
        if c.dep_ == "conj" and c.pos_ in ("VERB", "ADJ") and not _negated(c) and not own_subject:
            label = word_label(c) or _argument_label(c, verb)
            if label:
                return label
    head = verb.head
    # "Two officers shot at the roadblock also died", parsed with "shot" under "died".
    subjectless = not any(g.dep_ in ("nsubj", "nsubjpass") for g in head.children)
    if verb.dep_ in ("ccomp", "conj") and head.pos_ == "VERB" and subjectless:
        return None if _negated(head) else word_label(head)
    return None


def _included_label(verb: Token) -> str | None:
    """ "the dead included one man and five women" (also "they included" after "the dead")."""
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None:
        return None
    if subject.pos_ != "PRON":
        return word_label(subject) if subject.lower_ not in ("life", "lives") else None
    for k in range(verb.i - 1, verb.sent.start - 1, -1):
        tok = verb.doc[k]
        if tok.lower_ in ("dead", "injured", "wounded", "deceased", "victims"):
            prev = verb.doc[k - 1].lower_ if k else ""
            if prev == "the" and tok.lower_ != "victims":
                return word_label(tok)
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
    if noun.lower_ in ("cases", "case") and _fatal_cases(span.doc, span.end):
        return KILLED  # "N cases, all fatal"
    if noun.lower_ in NON_PERSON or noun.lemma_.lower() in NON_PERSON:
        return None
    if noun.lower_ == "casualties" or noun.lemma_ == "casualty":
        return None
    if noun.i in range(span.start, span.end):
        for child in noun.children:
            # "dozens of homes": the counted thing is the object of "of".
            if child.lower_ == "of" and any(p.lower_ in NON_PERSON for p in child.children):
                return None
    label = _local_label(noun, span)
    if label:
        return label
    tok = noun
    for _ in range(10):
        head = tok.head
        if head is tok or head.lower_ in ("none", "neither"):
            return None  # "none of the 30 passengers were hurt"
        if head.lower_ == "of" and tok.dep_ == "pobj" and _of_frame(head):
            return None  # "a town of 5,000", "Of the 40 passengers, 12 were hurt"
        if head.lemma_ == "treat" and noun.lemma_ == "patient":
            return INJURED
        label = word_label(head)
        if label and head.lower_ not in ("life", "lives"):
            return None if _negated(head) else label
        if head.lemma_ == "lose" and (noun.lower_ in _KIN or _of_kin(noun)):
            return KILLED  # "lost all four of her children"
        if head.lower_ in BLOCKERS and head.pos_ == "VERB":
            return None  # "displaced 40,000 people and killed 12": the 40,000 were displaced
        if head.lower_ == "remains" and head.pos_ == "NOUN":
            return KILLED  # "the remains of four climbers"
        if head.pos_ in ("VERB", "AUX"):
            label = _argument_label(head, tok)
            if label is None and head.lemma_ in ("include", "comprise"):
                label = _included_label(head)
            if label is None and not _negated(head) and _subject(tok):
                label = _shared_subject_label(head)
            if label or head.lemma_.lower() not in _TRANSPARENT:
                return label
            # "5 were missing": a copula with its own complement says what they were.
            if any(c.dep_ in ("acomp", "attr") and c is not tok for c in head.children):
                return None
        tok = head
    return None


def _fatal_cases(doc: Doc, end: int) -> bool:
    """ "N cases - all fatal", "N fatal cases"."""
    for tok in doc[max(0, end - 3) : min(len(doc), end + 7)]:
        if tok.i >= end and tok.lower_ in (".", ";", "but", "while", "and"):
            return False
        if tok.lower_ == "fatal":
            return True
    return False


def _of_frame(of: Token) -> bool:
    """ "of" under a thing ("a town of 5,000") or fronted before the clause ("Of the 40
    passengers, 12 were hurt"): its object is not what the clause counts."""
    owner = of.head
    if owner.lower_ in ("family", "household", "group", "crew"):
        return False  # "a family of five": the five are people
    return owner.lower_ in NON_PERSON or (owner.pos_ in ("VERB", "AUX") and of.i < owner.i)


def _of_kin(noun: Token) -> bool:
    return any(
        c.lower_ == "of" and any(p.lower_ in _KIN for p in c.children) for c in noun.children
    )
