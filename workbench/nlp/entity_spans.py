"""Names found across a document by construction, for the `workbench_entities` component.

All-caps datelines, bracketed acronyms after an organisation, names the model missed
whose head word says what they are ("Zamfara State"), a nationality joined to the
institution it names ("Afghan Defense Ministry"), and a capitalised common word
opening a sentence (not a name).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from . import entity_lexicon as lex
from .entity_consistency import Cand

DASHES = {"-", "\u2013", "\u2014", "--", ":"}
ACRONYM = re.compile(r"^[A-Z][A-Z&.\-]{1,9}$")


def _cap(text: str) -> bool:
    return text[:1].isupper()


def capitalised_common_word(doc: Doc, c: Cand, lowercase: set[str]) -> bool:
    """A single capitalised word opening a sentence that the text also uses in lowercase
    ("Gunmen invaded ..." beside "the gunmen"): a common noun, not a name."""
    if c.end - c.start != 1 or c.label == "DATE":
        return False
    tok = doc[c.start]
    opens = c.start == 0 or tok.is_sent_start or "\n" in doc[c.start - 1].text
    return bool(opens and tok.lower_ in lowercase)


_DETECTED_ORG_HEADS = lex.ORG_HEADS - {"Government", "Administration", "Red", "Cross", "Daily"}


def find_headed_names(
    doc: Doc, cands: list[Cand], lowercase: set[str], words: list[str]
) -> list[Cand]:
    """Capitalised names the model missed whose head word says what they are: "Zamfara
    State" GPE, "Chowgan Grounds" FAC, "Earthquake Network Center" ORG, and a place
    before a lowercase designator ("Sderot| residents", "Kware| village")."""
    taken = {i for c in cands for i in range(c.start, c.end)}
    out = []
    for i, head in enumerate(words):
        if i in taken or i == 0:
            continue
        designated = head in _PLACE_AFTER
        if designated:
            label = "GPE"
        elif head in lex.FAC_HEADS:
            label = "FAC"
        elif head in lex.GPE_HEADS and head not in ("Council", "Republic", "Area", "Division"):
            label = "GPE"
        elif head in _DETECTED_ORG_HEADS:
            label = "ORG"
        else:
            continue
        start = i
        while start > 0 and i - start < 4 and start - 1 not in taken:
            prev = doc[start - 1]
            if not (prev.is_alpha and _cap(prev.text)) or prev.lower_ in lex.TITLES:
                break
            if prev.lower_ in lex.DATE_WORDS:  # "On Thursday Police said"
                break
            start -= 1
        if start == i:
            continue
        first = doc[start]
        if (first.is_sent_start or start == 0) and first.lower_ in lowercase:
            start += 1  # "Police Chief": a common word opening the sentence
        if any(t.is_stop for t in doc[start:i]):
            continue  # "The| village", "Our| town"
        end = i if designated else i + 1
        if start < i and (label != "ORG" or doc[start].text not in lex.PORTFOLIOS):
            out.append(Cand(start, end, label, "model", cue=True))
            taken.update(range(start, end))
    return out


_PLACE_AFTER = (lex.GPE_DESIGNATORS | lex.PLACE_FOLLOWERS) - {"state", "region", "city"}


def add_bracketed_acronyms(doc: Doc, cands: list[Cand]) -> list[Cand]:
    """ "Village Defence Committee (VDC)": the acronym is an ORG of its own."""
    taken = {i for c in cands for i in range(c.start, c.end)}
    extra = []
    for c in cands:
        i = c.end
        bracketed = i + 2 < len(doc) and doc[i].text == "(" and doc[i + 2].text == ")"
        acronym = i + 1 < len(doc) and ACRONYM.match(doc[i + 1].text)
        if c.label == "ORG" and bracketed and i + 1 not in taken and acronym:
            extra.append(Cand(i + 1, i + 2, "ORG", c.source))
    return sorted(cands + extra, key=lambda c: c.start)


def join_demonym_and_institution(doc: Doc, cands: list[Cand]) -> list[Cand]:
    """ "Afghan" + "Defense Ministry" -> one ORG: an official name keeps its nationality."""
    out: list[Cand] = []
    for c in cands:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.label == "NORP"
            and prev.end == c.start
            and c.label == "ORG"
            and doc[c.end - 1].text in lex.ORG_HEADS
            and doc[c.end - 1].text not in ("Group", "Network", "Movement", "Front")
            and "gold" not in (prev.source, c.source)
        ):
            out[-1] = Cand(prev.start, c.end, "ORG", c.source, cue=True)
            continue
        out.append(c)
    return out


def add_datelines(doc: Doc, cands: list[Cand], words: list[str]) -> list[Cand]:
    """All-caps words opening a line before a comma or dash ("KABUL, May 3") are GPE."""
    out = list(cands)
    # Line starts: newlines are tokens of their own.
    for i in [0] + [i + 1 for i, w in enumerate(words[:-1]) if "\n" in w]:
        end = i
        while end < len(doc) and end - i < 4 and doc[end].is_alpha and doc[end].is_upper:
            end += 1
        if end == i or end >= len(doc) or doc[end].text not in {",", *DASHES}:
            continue
        if sum(len(t.text) for t in doc[i:end]) < 3 or doc[i].lower_ in lex.NOT_DATELINES:
            continue
        if any(c.source == "gold" and c.start < end and i < c.end for c in out):
            continue
        out = [c for c in out if not (c.start < end and i < c.end)]
        out.append(Cand(i, end, "GPE", "actor"))
    return sorted(out, key=lambda c: c.start)
