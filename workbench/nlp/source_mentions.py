"""The words of a source mention: which tokens name who reported a figure.

The scheme's boundaries: the whole noun phrase with its descriptors and restrictive
post-modifiers ("head of a Sudanese investigative committee"), without a leading
article, a trailing "'s", a trailing bracketed acronym, an appositive or a comma
clause; coordinated sources are one span ("security and medical sources").
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

PRONOUNS = {
    "he", "she", "it", "they", "him", "her", "them", "his", "its", "their", "we", "i",
    "who", "which", "that", "one",
}  # fmt: skip
PERSON_PRONOUNS = {"he", "she", "him", "her", "his"}
ARTICLES = {"the", "a", "an"}
# Nouns that hold figures rather than state them: their owner is the source
# ("government figures", "the Observatory's figures", "data released by X").
FIGURE_NOUNS = {
    "figure", "figures", "data", "datum", "statistics", "statistic", "report", "reports", "record",
    "records", "estimate", "estimates", "count", "tally", "toll", "overview", "numbers",
    "tallies", "counts", "statement", "statements", "communique", "bulletin", "announcement",
}  # fmt: skip
# What a figure noun counts, not who owns it: "death toll", "crime data", "murder statistics".
_COUNTED = {
    "death", "casualty", "casualties", "crime", "murder", "toll", "injury", "fatality",
    "homicide", "victim", "mortality", "population", "census", "body", "war", "conflict",
    "violence", "accident", "traffic", "press", "news", "year", "month", "week",
}  # fmt: skip
# Verbs of an acl that name the owner by "by X" ("released by the Constabulary").
PUBLISH_VERBS = {"release", "publish", "compile", "issue", "give", "provide", "collect", "cite"}
# People nouns: "he said" does not go back to a ministry.
PERSON_NOUNS = {
    "official", "officials", "spokesman", "spokeswoman", "spokesperson", "minister", "head",
    "chief", "resident", "residents", "man", "woman", "witness", "witnesses", "doctor",
    "doctors", "officer", "officers", "director", "governor", "commander", "president",
    "mayor", "representative", "professor", "survivor", "villager", "source", "sources",
    "journalist", "reporter", "leader", "secretary", "inspector", "superintendent",
    "medic", "medics", "worker", "workers", "pilgrim", "father", "mother", "activist",
    "activists", "general", "colonel", "chairman", "member", "members", "physician",
}  # fmt: skip
# Right children that belong to the name: restrictive post-modifiers and coordination.
_KEEP_RIGHT = {
    "prep", "acl", "relcl", "compound", "conj", "cc", "nummod", "amod", "npadvmod", "appos",
}  # fmt: skip
_LOCATIVE = {"there", "here"}
_OPEN = {"(", "["}
_CLOSE = {")": "(", "]": "["}
# A dateline or byline before the name: "KHARTOUM - The head of ..."
_LEFT_BREAKS = {"-", "–", "—", "--", ":", ",", ";", "(", ")", '"', "“", "”", "|"}


def is_pronoun(tok: Token) -> bool:
    if tok.text.isupper() and len(tok.text) > 1 and tok.text != "I":
        return False  # an acronym the tagger took for one: "WHO figures show"
    return tok.lower_ in PRONOUNS or tok.pos_ == "PRON"


# Nouns of bodies that report (beside PERSON_NOUNS): "the ministry raised the toll".
_BODIES = {
    "ministry", "government", "police", "army", "military", "authorities", "authority",
    "agency", "office", "department", "service", "committee", "commission", "council",
    "observatory", "group", "organisation", "organization", "media", "television", "radio",
    "newspaper", "hospital", "morgue", "force", "forces", "administration",
}  # fmt: skip


def is_reporter(tok: Token) -> bool:
    """A subject that can report a figure: a person, a body, a named organisation or place."""
    if tok.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") or tok.pos_ == "PROPN":
        return True
    return tok.lemma_.lower() in _BODIES or tok.lower_ in PERSON_NOUNS or tok.lower_ in _BODIES


def is_person(doc: Doc, start: int, end: int) -> bool:
    """A mention of a person (for "he said"), as far as its words tell."""
    toks = doc[start:end]
    if any(t.ent_type_ == "PERSON" for t in toks):
        return True
    return toks.root.lower_ in PERSON_NOUNS


def owner(noun: Token) -> Token | None:
    """Who owns a figure noun: "government figures" -> government, "its report" -> its,
    "data released by the Constabulary" -> Constabulary, "U.N. figures" -> U.N."""
    for child in noun.children:
        if child.dep_ == "poss":
            return child
    for child in noun.children:
        if child.dep_ == "acl" and child.lemma_ in PUBLISH_VERBS:
            for agent in child.children:
                if agent.dep_ == "agent":
                    objects = [t for t in agent.children if t.dep_ == "pobj"]
                    if objects:
                        return objects[0]
    for child in noun.children:
        if child.dep_ in ("compound", "nmod", "amod", "nsubj") and child.i < noun.i:
            if child.pos_ == "PROPN" or child.ent_type_ in ("ORG", "GPE", "NORP", "PERSON"):
                return _name_head(child)
            if child.pos_ == "NOUN" and child.lemma_.lower() not in _COUNTED:
                return child  # "government figures", "a police statement", "hospital records"
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in ("of", "from", "by"):
            objects = [t for t in child.children if t.dep_ == "pobj"]
            if objects and objects[0].lower_ not in FIGURE_NOUNS and is_reporter(objects[0]):
                return objects[0]
    return None


def _names(tok: Token) -> bool:
    return tok.pos_ == "PROPN" or tok.ent_type_ in ("ORG", "GPE", "PERSON", "NORP")


def _name_head(tok: Token) -> Token:
    """The last token of a compound name: "U.N." in "U.N. figures" stays itself."""
    return tok


def mention_bounds(head: Token, without: Token | None = None) -> tuple[int, int] | None:
    """Token [start, end) of the noun phrase headed by `head`, trimmed to the scheme
    (and stopped before the modifier holding `without`, the reporting verb itself)."""
    doc = head.doc
    start = head.i
    for child in head.lefts:
        if child.dep_ in ("punct",) or child.is_space:
            continue
        start = min(start, child.left_edge.i)
    end = head.i + 1
    for child in head.rights:
        if child.dep_ == "punct" or child.is_space:
            break
        if child.dep_ == "appos" and _set_off(doc, head.i, child.left_edge.i):
            break  # "X, the head of the committee,": the appositive stays out
        if child.dep_ == "advmod" and child.lower_ in _LOCATIVE:
            end = child.i + 1
            continue
        if child.dep_ not in _KEEP_RIGHT or _when(child):
            break
        if child.dep_ == "relcl" and _comma_before(doc, child.left_edge.i):
            break
        if without is not None and child.left_edge.i <= without.i <= child.right_edge.i:
            break
        end = child.right_edge.i + 1
    # Break at a dateline or a comma on the left: keep the part next to the head.
    for i in range(head.i - 1, start - 1, -1):
        breaks = _left_break(doc, i)
        if breaks and not _inside_brackets(doc, i, start, head.i):
            start = i + 1
            break
    # Inside the phrase, a comma ends the name: "X, Y and Z" is cut where the head is.
    for i in range(head.i + 1, end):
        if doc[i].text in (",", ";", "—", "–", "--") or _line_break(doc, i):
            end = i
            break
    while start < end and (doc[start].lower_ in ARTICLES or doc[start].is_punct):
        start += 1
    end = _trim_right(doc, start, end)
    opened = [k for k in range(start, end) if doc[k].text in _OPEN]
    closed = [k for k in range(start, end) if doc[k].text in _CLOSE]
    if len(opened) > len(closed):  # "(ICRC" with its bracket left outside the subtree
        end = _trim_right(doc, start, opened[-1])
    if start >= end:
        return None
    return start, end


def _when(child: Token) -> bool:
    """A time phrase after the name ("Police on Sunday said"): not part of the name."""
    if child.dep_ != "prep":
        return False
    return any(t.ent_type_ in ("DATE", "TIME") for t in child.subtree)


def _set_off(doc: Doc, head: int, left: int) -> bool:
    """Punctuation between a head and what follows it: a comma, a bracket, a dash."""
    return any(
        doc[k].is_punct and doc[k].text not in ("'s", "`s", "’s") for k in range(head + 1, left)
    )


def _left_break(doc: Doc, i: int) -> bool:
    """Where a phrase's left part stops: a dateline dash (spaced, not "UK-based"), a colon,
    a comma, a quote, a line break that ends a line."""
    tok = doc[i]
    if tok.text == "-":
        return bool(tok.whitespace_) and i > 0 and bool(doc[i - 1].whitespace_)
    return tok.text in _LEFT_BREAKS or _line_break(doc, i)


def _line_break(doc: Doc, i: int) -> bool:
    """A line break that is not a wrapped line (the next line starts lower case)."""
    tok = doc[i]
    if "\n" not in tok.text and "\n" not in tok.whitespace_:
        return False
    if (tok.text + tok.whitespace_).count("\n") > 1 or i + 1 >= len(doc):
        return True
    return not doc[i + 1].text[:1].islower()


def _comma_before(doc: Doc, i: int) -> bool:
    return i > 0 and doc[i - 1].text == ","


def _inside_brackets(doc: Doc, i: int, start: int, head: int) -> bool:
    """A bracket pair wholly inside the phrase before the head ("IGP (Jammu) Rajesh Kumar")."""
    if doc[i].text == ")":
        return any(doc[j].text == "(" for j in range(start, i))
    if doc[i].text == "(":
        return any(doc[j].text == ")" for j in range(i + 1, head))
    return False


def _trim_right(doc: Doc, start: int, end: int) -> int:
    """Drop a trailing "'s", bracketed acronym, punctuation and spaces."""
    changed = True
    while changed and end > start:
        changed = False
        last = doc[end - 1]
        if (
            last.is_space
            or (last.is_punct and last.text not in _CLOSE)
            or last.lower_ in ("'s", "’s", "'", "’")
        ):
            end -= 1
            changed = True
        elif last.text in _CLOSE:
            opener = _CLOSE[last.text]
            j = end - 2
            while j >= start and doc[j].text != opener:
                j -= 1
            if j >= start and j > start:
                end = j
                changed = True
            else:
                break
        elif last.dep_ == "case":
            end -= 1
            changed = True
    return end
