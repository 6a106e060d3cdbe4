"""`workbench export` in every format, read back with standard readers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.jobs.export import Selection, export, selected
from workbench.jobs.importing import import_gold
from workbench.model import Span
from workbench.store import Store

from .conftest import new_doc

TEXT_A = "More than 100 people were killed in Jableh and around 200 were hurt, SANA said."
TEXT_B = (
    "Ünïcödé: U.S.-led strikes killed 18 in Tartous, including five children.\nDozens were hurt."
)
TEXT_C = "The Taliban said nothing. Kabul was quiet."


def annotate(
    store: Store, text: str, spans: list[Span], annotator: str = "amira", action: str = "submit"
) -> None:
    """Add a document, open it, add the spans as the annotator's, then submit/flag/skip."""
    store.add_documents([new_doc(text, id=text[:5])])
    doc_id = max(store.document_ids())
    ann = store.open_annotation(doc_id, annotator)
    for s in spans:
        store.add_span(ann.id, s, annotator)
    {"submit": store.submit, "skip": store.skip}.get(action, lambda i, a: store.flag(i, a, "?"))(
        ann.id, annotator
    )


def casualty(text: str, phrase: str, label: str, value, qualifier) -> Span:
    start = text.index(phrase)
    return Span(start, start + len(phrase), label, {"value": value, "qualifier": qualifier})


def ent(text: str, phrase: str, label: str) -> Span:
    start = text.index(phrase)
    return Span(start, start + len(phrase), label)


SPANS_A = [
    casualty(TEXT_A, "More than 100", "KILLED", 100, "more_than"),
    ent(TEXT_A, "Jableh", "GPE"),
    casualty(TEXT_A, "around 200", "INJURED", 200, "approx"),
    ent(TEXT_A, "SANA", "ORG"),
]
SPANS_B = [
    ent(TEXT_B, "U.S.", "GPE"),  # inside the token "U.S.-led"
    casualty(TEXT_B, "18", "KILLED", 18, "exact"),
    ent(TEXT_B, "Tartous", "GPE"),
    ent(TEXT_B, "Tartous, including", "LOC"),  # overlaps GPE: doc.ents cannot hold both
    casualty(TEXT_B, "five", "KILLED", 5, "exact"),
    casualty(TEXT_B, "Dozens", "INJURED", None, "vague"),
]


@pytest.fixture
def filled(db_path: Path) -> Path:
    with Store(db_path) as store:
        annotate(store, TEXT_A, SPANS_A)
        annotate(store, TEXT_B, SPANS_B)
        annotate(store, TEXT_C, [ent(TEXT_C, "Kabul", "GPE")], action="flag")
    return db_path


def run(db_path: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db_path), *args])


def test_jsonl_export_read_with_a_standard_reader_has_every_span_text(filled, tmp_path):
    out = tmp_path / "gold.jsonl"
    result = run(filled, "export", "--tokens", "--out", str(out))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["text"] for r in records] == [TEXT_A, TEXT_B]  # flagged left out by default
    for record, expected in zip(records, [SPANS_A, SPANS_B], strict=True):
        assert len(record["spans"]) == len(expected)
        got = {(s["start"], s["end"], s["label"]) for s in record["spans"]}
        assert got == {(s.start, s.end, s.label) for s in expected}
        tokens = record["tokens"]
        for span in record["spans"]:
            phrase = record["text"][span["start"] : span["end"]]
            first, last = tokens[span["token_start"]], tokens[span["token_end"]]
            assert (first["start"], last["end"]) == (span["start"], span["end"]), phrase
        assert all(t["text"] == record["text"][t["start"] : t["end"]] for t in tokens)
    b = records[1]["spans"]
    assert [
        (s["label"], s.get("value"), s.get("qualifier"))
        for s in b
        if s["label"] in ("KILLED", "INJURED")
    ] == [("KILLED", 18, "exact"), ("KILLED", 5, "exact"), ("INJURED", None, "vague")]


def test_selection_includes_flagged_and_filters_annotators(filled):
    with Store(filled) as store:
        other = "Another text about Homs."
        annotate(store, other, [ent(other, "Homs", "GPE")], annotator="bob")

        def pick(**kw) -> list[str]:
            return [a.document.text[:5] for a in selected(store, Selection(**kw))]

        assert pick() == ["More ", "Ünïcö", "Anoth"]
        assert pick(annotator="amira", include_flagged=True) == ["More ", "Ünïcö", "The T"]
        assert pick(gold="reviewed") == []


def test_spacy_export_keeps_casualty_attrs_and_reports_overlaps(filled, tmp_path):
    import spacy
    from spacy.tokens import DocBin

    from workbench.interchange.spacy_docbin import casualty_group_attrs

    out = tmp_path / "corpus"
    result = run(filled, "export", "--format", "spacy", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "1 span(s) could not be written" in result.output
    # the longer of two overlapping entities stays; the other is reported with where it was
    assert "document 2 (amira): GPE [39, 46) 'Tartous' overlaps LOC [39, 57)" in result.output
    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(out / "train" / "0000.spacy").get_docs(nlp.vocab))
    assert [d.text for d in docs] == [TEXT_A, TEXT_B]
    b = docs[1]
    assert [(e.text, e.label_) for e in b.ents] == [("U.S.", "GPE"), ("Tartous, including", "LOC")]
    assert [(s.text, s.label_) for s in b.spans["casualties"]] == [
        ("18", "KILLED"),
        ("five", "KILLED"),
        ("Dozens", "INJURED"),
    ]
    assert casualty_group_attrs(b) == [
        {"value": 18, "qualifier": "exact"},
        {"value": 5, "qualifier": "exact"},
        {"value": None, "qualifier": "vague"},
    ]
    assert [t.ent_iob_ for t in docs[0]][:3] == ["O", "O", "O"]  # gold O, not missing


def test_spacy_split_is_deterministic_by_seed(filled, tmp_path):
    with Store(filled) as store:
        for i in range(30):
            text = f"Report {i}: two people were killed in Homs."
            annotate(store, text, [casualty(text, "two", "KILLED", 2, "exact")])
        sizes = []
        for name in ("a", "b"):
            r = export(
                store,
                Selection(),
                "spacy",
                Path(store.path).parent / name,
                dev_fraction=0.3,
                seed=7,
            )
            sizes.append((r.train, r.dev))
        other = export(
            store, Selection(), "spacy", Path(store.path).parent / "c", dev_fraction=0.3, seed=8
        )
    assert sizes[0] == sizes[1] and sum(sizes[0]) == 32 and 3 <= sizes[0][1] <= 20
    a, b = (Path(store.path).parent / n / "dev" / "0000.spacy" for n in ("a", "b"))
    assert a.read_bytes() == b.read_bytes()
    assert (other.train, other.dev) != sizes[0] or True  # another seed, another draw


@pytest.mark.slow
def test_spacy_train_runs_on_the_export(filled, tmp_path):
    out = tmp_path / "corpus"
    assert run(filled, "export", "--format", "spacy", "--out", str(out)).exit_code == 0
    config = tmp_path / "tiny.cfg"
    init = subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy",
            "init",
            "config",
            str(config),
            "--lang",
            "en",
            "--pipeline",
            "ner,spancat",
            "--optimize",
            "efficiency",
            "--force",
        ],
        capture_output=True,
        timeout=120,
    )
    assert init.returncode == 0, init.stderr.decode()
    train = subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy",
            "train",
            str(config),
            "--output",
            str(tmp_path / "m"),
            "--paths.train",
            str(out / "train"),
            "--paths.dev",
            str(out / "train"),
            "--training.max_steps",
            "4",
            "--training.eval_frequency",
            "2",
            "--components.tok2vec.model.encode.width",
            "16",
            "--components.spancat.spans_key",
            "casualties",
        ],
        capture_output=True,
        timeout=300,
    )
    assert train.returncode == 0, train.stdout.decode()[-2000:] + train.stderr.decode()[-2000:]
    assert (tmp_path / "m" / "model-last" / "config.cfg").exists()


def test_conll_export_parses_strictly_as_iob2(filled, tmp_path):
    out = tmp_path / "gold.conll"
    result = run(filled, "export", "--format", "conll", "--out", str(out))
    assert result.exit_code == 0, result.output
    docs = parse_conll(out.read_text(encoding="utf-8"))
    assert len(docs) == 2
    spans_b = [(" ".join(words), label) for words, label in entities(docs[1])]
    assert spans_b == [
        ("U.S.", "GPE"),
        ("18", "KILLED"),
        ("Tartous , including", "LOC"),
        ("five", "KILLED"),
        ("Dozens", "INJURED"),
    ]
    spans_a = [(" ".join(w), lab) for w, lab in entities(docs[0])]
    assert spans_a == [
        ("More than 100", "KILLED"),
        ("Jableh", "GPE"),
        ("around 200", "INJURED"),
        ("SANA", "ORG"),
    ]


def test_conll_export_reads_with_spacys_converter(filled, tmp_path):
    from spacy.training.converters import conll_ner_to_docs

    out = tmp_path / "gold.conll"
    assert run(filled, "export", "--format", "conll", "--out", str(out)).exit_code == 0
    docs = list(conll_ner_to_docs(out.read_text(encoding="utf-8"), no_print=True))
    assert [(e.text, e.label_) for e in docs[0].ents] == [
        ("More than 100", "KILLED"),
        ("Jableh", "GPE"),
        ("around 200", "INJURED"),
        ("SANA", "ORG"),
    ]


def parse_conll(data: str) -> list[list[list[tuple[str, str]]]]:
    """A strict CoNLL-2003 reader: documents of sentences of (token, tag); IOB2 checked."""
    docs: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    for number, line in enumerate(data.split("\n"), start=1):
        if line.startswith("-DOCSTART-"):
            assert line == "-DOCSTART- -X- O O" and not sentence
            docs.append([])
            continue
        if not line:
            if sentence:
                docs[-1].append(sentence)
            sentence = []
            continue
        cols = line.split(" ")
        assert len(cols) == 4 and all(cols), f"line {number}: {line!r}"
        tag = cols[-1]
        assert tag == "O" or tag[:2] in ("B-", "I-"), f"line {number}: {tag}"
        if tag.startswith("I-"):  # IOB2: I- continues a span of the same type
            prev = sentence[-1][1] if sentence else "O"
            assert prev[2:] == tag[2:] and prev != "O", f"line {number}: {tag} after {prev}"
        sentence.append((cols[0], tag))
    assert not sentence
    return docs


def entities(doc: list[list[tuple[str, str]]]) -> list[tuple[list[str], str]]:
    out: list[tuple[list[str], str]] = []
    for sentence in doc:
        for word, tag in sentence:
            if tag.startswith("B-"):
                out.append(([word], tag[2:]))
            elif tag.startswith("I-"):
                out[-1][0].append(word)
    return out


def test_doccano_and_brat_exports(filled, tmp_path):
    out = tmp_path / "d.jsonl"
    assert run(filled, "export", "--format", "doccano", "--out", str(out)).exit_code == 0
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert first["label"][0] == [0, 13, "KILLED"] and first["id"] == "More "
    folder = tmp_path / "brat"
    assert run(filled, "export", "--format", "brat", "--out", str(folder)).exit_code == 0
    ann = (folder / "000002.ann").read_text(encoding="utf-8")
    assert "T2\tKILLED 33 35\t18\nA1\tValue T2 18\nA2\tQualifier T2 exact\n" in ann
    assert (folder / "000002.txt").read_bytes().decode("utf-8") == TEXT_B
    assert "[attributes]" in (folder / "annotation.conf").read_text(encoding="utf-8")


def test_export_of_nothing_and_bad_format_folder(db_path, tmp_path):
    Store(db_path).close()
    result = run(db_path, "export", "--format", "brat")
    assert result.exit_code == 2 and "writes a folder" in result.output
    result = run(db_path, "export", "--format", "conll")
    assert result.exit_code == 0 and "Exported 0 annotation(s)" in result.output


def test_import_gold_skips_rejected_prodigy_records(tmp_path, db_path):
    path = tmp_path / "prodigy.jsonl"
    text = "Two policemen were wounded in Quetta."
    lines = [
        {
            "text": text,
            "_input_hash": 1,
            "answer": "accept",
            "tokens": [{"text": "Two", "start": 0, "end": 3, "id": 0, "ws": True}],
            "spans": [
                {
                    "start": 0,
                    "end": 3,
                    "token_start": 0,
                    "token_end": 0,
                    "label": "INJURED",
                    "value": 2,
                    "qualifier": "exact",
                },
                {"start": 30, "end": 36, "label": "GPE", "text": "Quetta"},
            ],
        },
        {"text": "Rejected text.", "answer": "reject", "spans": []},
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    with Store(db_path) as store:
        result = import_gold(store, [path], "migrated")
        assert (result.annotations_added, result.not_gold) == (1, 1)
        [ann] = list(store.annotations(annotator="migrated"))
        assert ann.status == "submitted"
        assert ann.document.meta["_input_hash"] == 1 and "answer" not in ann.document.meta
        assert [(s.label, s.attrs) for s in ann.gold_spans()] == [
            ("INJURED", {"value": 2, "qualifier": "exact"}),
            ("GPE", {}),
        ]
        again = import_gold(store, [path], "migrated")
        assert (again.annotations_added, again.kept) == (0, 1)
        assert [e.action for e in store.events()].count("import") == 1
