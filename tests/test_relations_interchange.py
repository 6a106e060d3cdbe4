"""Casualty figures linked to their sources travel through every format that carries
relations: JSONL (Prodigy's `relations`), doccano (both forms) and spaCy DocBin, out and
back in with `import --as-gold`, as `predict` writes them, and as Prodigy answers."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
import spacy
from click.testing import CliRunner
from spacy.tokens import DocBin

from workbench.cli import cli
from workbench.interchange.jsonl import record
from workbench.interchange.readers import InputError, iter_file, parse_record
from workbench.interchange.spacy_docbin import ShardWriter, blank, build_doc, read_docbin
from workbench.model import SOURCE_LABEL, Span, link_of, relations, with_link
from workbench.store import Store

from .test_export_formats import annotate

DEV = Path(__file__).parents[1] / ".." / "shared" / "casualty-dev" / "sources_dev.jsonl"

# Constructions, not passages: a named source, a source that is not an entity, a
# figure with no source, and an emoji before them all (doccano's UTF-16 offsets).
TEXT = (
    "😀 Update: More than 100 people were killed, Reuters said. Local officials said"
    " 5 died. Dozens were hurt."
)


def at(phrase: str, label: str, **attrs) -> Span:
    start = TEXT.index(phrase)
    return Span(start, start + len(phrase), label, attrs)


REUTERS = at("Reuters", "ORG")
OFFICIALS = at("Local officials", SOURCE_LABEL)
HUNDRED = with_link(at("More than 100", "KILLED", value=100, qualifier="more_than"), REUTERS)
FIVE = with_link(at("5", "KILLED", value=5, qualifier="exact"), OFFICIALS)
DOZENS = at("Dozens", "INJURED", value=None, qualifier="vague")
SPANS = [HUNDRED, REUTERS, OFFICIALS, FIVE, DOZENS]


def run(db: Path, *args: str):
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result


def links(db: Path, annotator: str) -> list[set[tuple]]:
    """Per annotation, each resolved link as (head text, child text, child label)."""
    with Store(db) as store:
        out = []
        for a in store.annotations(annotator=annotator):
            text = a.document.text
            out.append(
                {
                    (r.head.text_in(text), r.child.text_in(text), r.child.label, r.label)
                    for r in relations(a.gold_spans())
                }
            )
        return out


def gold(db: Path, annotator: str) -> list[list[tuple]]:
    with Store(db) as store:
        return [
            [(s.start, s.end, s.label, s.attrs) for s in a.gold_spans()]
            for a in store.annotations(annotator=annotator)
        ]


EXPECTED = {
    ("More than 100", "Reuters", "ORG", "SOURCE"),
    ("5", "Local officials", "SOURCE", "SOURCE"),
}


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    db = tmp_path / "linked.db"
    with Store(db) as store:
        annotate(store, TEXT, SPANS)
    return db


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ---- JSONL ---------------------------------------------------------------------------


def test_jsonl_export_writes_links_once_as_prodigy_relations(linked, tmp_path):
    out = tmp_path / "gold.jsonl"
    run(linked, "export", "--out", str(out))
    (line,) = lines(out)
    assert all("source" not in s for s in line["spans"])  # the link is not written twice
    assert line["relations"] == [
        {
            "head_span": {"start": HUNDRED.start, "end": HUNDRED.end, "label": "KILLED"},
            "child_span": {"start": REUTERS.start, "end": REUTERS.end, "label": "ORG"},
            "label": "SOURCE",
        },
        {
            "head_span": {"start": FIVE.start, "end": FIVE.end, "label": "KILLED"},
            "child_span": {"start": OFFICIALS.start, "end": OFFICIALS.end, "label": "SOURCE"},
            "label": "SOURCE",
        },
    ]


def test_jsonl_export_counts_spans_not_the_link_objects(linked, tmp_path):
    result = run(linked, "export", "--out", str(tmp_path / "g.jsonl"))
    assert "5 span(s)" in result.output


def test_jsonl_round_trip_keeps_every_link(linked, tmp_path):
    out, again = tmp_path / "gold.jsonl", tmp_path / "again.jsonl"
    run(linked, "export", "--out", str(out))
    fresh = tmp_path / "fresh.db"
    run(fresh, "import", "--as-gold", "--annotator", "amira", str(out))
    assert gold(fresh, "amira") == gold(linked, "amira")
    assert links(fresh, "amira") == [EXPECTED]
    run(fresh, "export", "--out", str(again))
    strip = [{k: v for k, v in d.items() if k != "timestamp"} for d in lines(out)]
    assert [{k: v for k, v in d.items() if k != "timestamp"} for d in lines(again)] == strip


def test_tokens_give_prodigy_head_and_child_token_indices(linked, tmp_path):
    out = tmp_path / "tok.jsonl"
    run(linked, "export", "--tokens", "--out", str(out))
    (line,) = lines(out)
    tokens = line["tokens"]
    for rel in line["relations"]:
        for end, ref in ((rel["head"], rel["head_span"]), (rel["child"], rel["child_span"])):
            assert end == ref["token_end"]
            assert tokens[ref["token_start"]]["start"] == ref["start"]
            assert tokens[ref["token_end"]]["end"] == ref["end"]
    fresh = tmp_path / "fresh.db"
    run(fresh, "import", "--as-gold", "--annotator", "amira", str(out))
    assert links(fresh, "amira") == [EXPECTED]


def test_a_relation_naming_a_span_not_in_spans_adds_it(tmp_path):
    line = {
        "text": TEXT,
        "spans": [HUNDRED.with_(attrs={"value": 100, "qualifier": "more_than"}).to_json()],
        "relations": [
            {
                "head_span": {"start": HUNDRED.start, "end": HUNDRED.end, "label": "KILLED"},
                "child_span": {"start": REUTERS.start, "end": REUTERS.end, "label": "ORG"},
                "label": "SOURCE",
            }
        ],
    }
    doc = parse_record(orjson.dumps(line), "in.jsonl", 1)
    assert {(s.start, s.end, s.label) for s in doc.spans} == {
        (HUNDRED.start, HUNDRED.end, "KILLED"),
        (REUTERS.start, REUTERS.end, "ORG"),
    }
    (rel,) = relations(doc.spans)
    assert rel.child.text_in(TEXT) == "Reuters"
    assert "relations" not in doc.meta


def relation(head: Span, child: Span, label: str = "SOURCE") -> dict:
    return {
        "head_span": {"start": head.start, "end": head.end, "label": head.label},
        "child_span": {"start": child.start, "end": child.end, "label": child.label},
        "label": label,
    }


@pytest.mark.parametrize(
    ("rels", "why"),
    [
        ([{"head": 3, "child": 7, "label": "SOURCE"}], "head_span object"),
        ([relation(HUNDRED, REUTERS), relation(HUNDRED, OFFICIALS)], "two SOURCE relations"),
        ([relation(HUNDRED, HUNDRED)], "to itself"),
        ([relation(HUNDRED, REUTERS, "VALUE")], "names a span attribute"),
        ([relation(HUNDRED, Span(0, 10_000, "ORG"))], "outside the text"),
        ("SOURCE", "must be a list"),
    ],
)
def test_bad_relations_are_refused_with_the_line(rels, why):
    line = {"text": TEXT, "spans": [s.to_json() for s in SPANS[:3]], "relations": rels}
    for s in line["spans"]:
        s.pop("source", None)
    with pytest.raises(InputError, match=why) as e:
        parse_record(orjson.dumps(line), "in.jsonl", 4)
    assert e.value.line == 4


def test_a_relation_label_outside_the_configured_labels_is_refused(tmp_path):
    line = {"text": TEXT, "spans": [], "relations": [relation(HUNDRED, OFFICIALS)]}
    with pytest.raises(InputError, match="not in the configuration"):
        parse_record(orjson.dumps(line), "in.jsonl", 1, labels={"KILLED", "ORG"})


def test_a_spans_own_source_object_is_a_link_and_adds_the_source_span():
    spans = [
        {**HUNDRED.to_json(), "source": {"start": REUTERS.start, "end": REUTERS.end}},
        REUTERS.to_json(),
        {
            **FIVE.to_json(),
            "source": {"start": OFFICIALS.start, "end": OFFICIALS.end, "text": "Local officials"},
        },
        {**DOZENS.to_json(), "source": None},
    ]
    doc = parse_record(orjson.dumps({"text": TEXT, "spans": spans}), "gold.jsonl", 1)
    found = {
        (r.head.text_in(TEXT), r.child.text_in(TEXT), r.child.label) for r in relations(doc.spans)
    }
    assert found == {("More than 100", "Reuters", "ORG"), ("5", "Local officials", "SOURCE")}
    dozens = next(s for s in doc.spans if s.label == "INJURED")
    assert "source" not in dozens.attrs


def test_a_source_text_that_is_not_the_text_at_its_offsets_is_refused():
    spans = [
        {
            **FIVE.to_json(),
            "source": {"start": OFFICIALS.start, "end": OFFICIALS.end, "text": "Reuters"},
        }
    ]
    with pytest.raises(InputError, match="is not the text"):
        parse_record(orjson.dumps({"text": TEXT, "spans": spans}), "gold.jsonl", 1)


def test_predict_records_carry_relations_and_read_back():
    line = orjson.dumps(record(TEXT, SPANS, {"meta": {"id": 1}}))
    rec = orjson.loads(line)
    assert len(rec["relations"]) == 2 and all("source" not in s for s in rec["spans"])
    doc = parse_record(line, "predicted.jsonl", 1)
    assert {(r.head.text_in(TEXT), r.child.text_in(TEXT)) for r in relations(doc.spans)} == {
        ("More than 100", "Reuters"),
        ("5", "Local officials"),
    }


def test_a_record_without_links_has_no_relations_key():
    assert "relations" not in record(TEXT, [REUTERS, DOZENS])


def test_prodigy_rel_manual_answers_keep_their_links(tmp_path):
    answer = {
        "text": TEXT,
        "_input_hash": 7,
        "_view_id": "relations",
        "answer": "accept",
        "spans": [
            {**HUNDRED.to_json(), "source": "en_core_web_sm"},
            REUTERS.to_json(),
        ],
        "relations": [relation(HUNDRED, REUTERS)],
    }
    path = tmp_path / "rel.jsonl"
    path.write_bytes(orjson.dumps(answer) + b"\n")
    (doc,) = list(iter_file(path))
    (rel,) = relations(doc.spans)
    assert rel.child.text_in(TEXT) == "Reuters"
    assert link_of(rel.head) == (REUTERS.start, REUTERS.end, "ORG")


def test_a_dangling_link_is_not_written(tmp_path):
    db = tmp_path / "d.db"
    with Store(db) as store:
        annotate(store, TEXT, [HUNDRED])  # Reuters is not in the gold
    out = tmp_path / "g.jsonl"
    run(db, "export", "--out", str(out))
    (line,) = lines(out)
    assert "relations" not in line and "source" not in line["spans"][0]


@pytest.mark.skipif(not DEV.exists(), reason="the hand-made source gold is not here")
def test_the_hand_made_source_gold_imports_with_every_link(tmp_path):
    given = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    want = sum(1 for d in given for s in d["spans"] if s.get("source"))
    db = tmp_path / "dev.db"
    run(db, "import", "--as-gold", "--annotator", "gold", str(DEV))
    with Store(db) as store:
        annotations = list(store.annotations(annotator="gold"))
        found = 0
        for a in annotations:
            doc = next(d for d in given if d["text"] == a.document.text)
            expect = {
                (s["start"], s["end"], s["source"]["start"], s["source"]["end"])
                for s in doc["spans"]
                if s.get("source")
            }
            got = {
                (r.head.start, r.head.end, r.child.start, r.child.end)
                for r in relations(a.gold_spans())
            }
            assert got == expect
            found += len(got)
    assert found == want == 43
    out = tmp_path / "dev-out.jsonl"
    run(db, "export", "--out", str(out))
    assert sum(len(d.get("relations", [])) for d in lines(out)) == want


# ---- doccano -------------------------------------------------------------------------


@pytest.mark.parametrize("form", [[], ["--doccano-relations"]])
def test_doccano_round_trip_keeps_links_in_both_forms(linked, tmp_path, form):
    out = tmp_path / "doccano.jsonl"
    run(linked, "export", "--format", "doccano", *form, "--out", str(out))
    fresh = tmp_path / "fresh.db"
    run(fresh, "import", "--as-gold", "--annotator", "amira", str(out))
    assert gold(fresh, "amira") == gold(linked, "amira")
    assert links(fresh, "amira") == [EXPECTED]


def test_doccano_relation_form_is_doccanos_and_counts_utf16_units(linked, tmp_path):
    out = tmp_path / "doccano.jsonl"
    run(linked, "export", "--format", "doccano", "--doccano-relations", "--out", str(out))
    (line,) = lines(out)
    assert "label" not in line
    by_id = {e["id"]: e for e in line["entities"]}
    assert len(by_id) == len(SPANS)
    units = TEXT.encode("utf-16-le")
    for rel in line["relations"]:
        assert set(rel) == {"id", "from_id", "to_id", "type"} and rel["type"] == "SOURCE"
    pairs = set()
    for rel in line["relations"]:
        head, child = by_id[rel["from_id"]], by_id[rel["to_id"]]
        text = [
            units[2 * e["start_offset"] : 2 * e["end_offset"]].decode("utf-16-le")
            for e in (head, child)
        ]
        pairs.add(tuple(text))
    assert pairs == {("More than 100", "Reuters"), ("5", "Local officials")}
    assert all("source" not in a for a in line["span_attrs"])


def test_doccano_label_form_link_offsets_are_utf16_units_too(linked, tmp_path):
    out = tmp_path / "doccano.jsonl"
    run(linked, "export", "--format", "doccano", "--out", str(out))
    (line,) = lines(out)
    item = next(a for a in line["span_attrs"] if a.get("source"))
    assert item["source"]["start"] == REUTERS.start + 1  # the emoji is two units


def test_doccano_relation_naming_no_entity_is_refused():
    line = {
        "text": "Reuters said 5 died.",
        "entities": [{"id": 1, "label": "ORG", "start_offset": 0, "end_offset": 7}],
        "relations": [{"id": 1, "from_id": 2, "to_id": 1, "type": "SOURCE"}],
    }
    with pytest.raises(InputError, match="no entity id"):
        parse_record(orjson.dumps(line), "d.jsonl", 1)


# ---- spaCy DocBin --------------------------------------------------------------------


def test_spacy_export_has_a_sources_group_and_links_on_the_casualty_group(linked, tmp_path):
    out = tmp_path / "corpus"
    run(linked, "export", "--format", "spacy", "--out", str(out))
    (doc,) = list(DocBin().from_disk(out / "train" / "0000.spacy").get_docs(blank().vocab))
    sources = doc.spans["sources"]
    assert [(s.text, s.label_) for s in sources] == [
        ("Reuters", "ORG"),
        ("Local officials", "SOURCE"),
    ]
    assert "SOURCE" not in {e.label_ for e in doc.ents}  # a source that is not an entity
    group = doc.spans["casualties"]
    linked_to = group.attrs["relations"]["SOURCE"]
    assert [
        (s.text, None if i is None else sources[i].text)
        for s, i in zip(group, linked_to, strict=True)
    ] == [
        ("More than 100", "Reuters"),
        ("5", "Local officials"),
        ("Dozens", None),
    ]


def test_spacy_round_trip_through_import(linked, tmp_path):
    out = tmp_path / "corpus"
    run(linked, "export", "--format", "spacy", "--out", str(out))
    fresh = tmp_path / "fresh.db"
    run(fresh, "import", "--as-gold", "--annotator", "amira", str(out / "train" / "0000.spacy"))
    assert gold(fresh, "amira") == gold(linked, "amira")
    assert links(fresh, "amira") == [EXPECTED]


def test_the_fast_path_writes_the_sources_as_the_public_path_does(tmp_path):
    nlp = blank()
    docs = []
    for fast in (True, False):
        writer = ShardWriter(tmp_path / str(fast), nlp.vocab, 2, fast=fast)
        for spans in (SPANS, [REUTERS, DOZENS], [with_link(DOZENS, OFFICIALS), OFFICIALS]):
            writer.add(build_doc(TEXT, spans, nlp=nlp))
        loaded = []
        for f in writer.close():
            for d in DocBin().from_disk(f).get_docs(spacy.blank("en").vocab):
                loaded.append(
                    {
                        k: ([(s.start_char, s.end_char, s.label_) for s in g], g.attrs)
                        for k, g in d.spans.items()
                    }
                )
        docs.append(loaded)
    assert docs[0] == docs[1]
    assert docs[0][2]["casualties"][1] == {
        "values": [None],
        "qualifiers": ["vague"],
        "relations": {"SOURCE": [0]},
    }


def test_a_file_that_is_not_a_docbin_is_refused(tmp_path):
    bad = tmp_path / "bad.spacy"
    bad.write_bytes(b"not msgpack at all")
    with pytest.raises(InputError, match="not a spaCy DocBin"):
        read_docbin(bad)


def test_a_spans_own_link_and_a_relation_must_agree():
    spans = [HUNDRED.to_json(), REUTERS.to_json(), OFFICIALS.to_json()]  # HUNDRED -> Reuters
    same = {"text": TEXT, "spans": spans, "relations": [relation(HUNDRED, REUTERS)]}
    (rel,) = relations(parse_record(orjson.dumps(same), "in.jsonl", 1).spans)
    assert rel.child.text_in(TEXT) == "Reuters"
    other = {"text": TEXT, "spans": spans, "relations": [relation(HUNDRED, OFFICIALS)]}
    with pytest.raises(InputError, match="two SOURCE relations"):
        parse_record(orjson.dumps(other), "in.jsonl", 1)


def test_the_fast_jsonl_read_writes_what_the_model_objects_give(linked, tmp_path):
    from workbench.interchange.jsonl import annotation_record

    out = tmp_path / "fast.jsonl"
    run(linked, "export", "--out", str(out))
    with Store(linked) as store:
        slow = b"".join(orjson.dumps(annotation_record(a)) + b"\n" for a in store.annotations())
    assert out.read_bytes() == slow
    assert b'"relations"' in slow
