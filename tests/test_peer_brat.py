"""brat standoff as brat writes and reads it, and the import's report of what it left out.

The files are the tests' own, shaped as brat's server writes them (server/src/
annotation.py, annotator.py): `T` lines `ID<TAB>TYPE START END<TAB>TEXT`, a span
across a line break as fragments `START END;START END` whose texts are joined by a
space, `A` attributes (a flag: `NAME TARGET`; a value: `NAME TARGET VALUE`), `R`
relations `TYPE Arg1:T Arg2:T`, `N` normalisations, `E` events, `*` equivalences and
`#` notes. brat reads the `.txt` with `codecs.open(..., "rU", encoding="utf8")`,
which opens it in binary mode (a CR is a character), and the `.ann` with
`readlines()` (every `str.splitlines` break ends a line); `read_as_brat` below does
the same.

brat's own verifier runs when `BRAT_SERVER` names brat's `server/src` folder and
`BRAT_PYTHON` (default `python3`) a Python that can run it: brat's master with
Python 3.6 to 3.10 (it opens files with mode 'rU', which 3.11 refuses), or its last
release, v1.3, with Python 2.7.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.interchange.brat import read_brat_pair
from workbench.jobs.export import Selection, export
from workbench.jobs.importing import import_gold, import_paths
from workbench.model import Span, link_of, with_link
from workbench.store import NewDocument, Store

# CRLF line ends, a tab inside a name, a name across a line break.
TEXT = (
    "Officials in Homs said\r\n"
    "at least 12 people were killed.\r\n"
    "Reuters\tNews reported it from New\r\n"
    "York.\r\n"
)


def _at(phrase: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def _spans() -> list[Span]:
    homs = Span(*_at("Homs"), "GPE")
    officials = Span(*_at("Officials in Homs"), "SOURCE")  # holds the GPE: an overlap
    killed = Span(*_at("at least 12 people"), "KILLED", {"value": 12, "qualifier": "at_least"})
    reuters = Span(*_at("Reuters\tNews"), "ORG")
    new_york = Span(TEXT.index("New\r\nYork"), TEXT.index("York.") + 4, "GPE")
    return [homs, officials, with_link(killed, officials), reuters, new_york]


def _exported(tmp_path: Path, spans: list[Span], text: str = TEXT) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    db, out = tmp_path / "source.db", tmp_path / "brat"
    with Store(db) as store:
        store.save_gold([NewDocument(text, {}, "test", tuple(spans))], "amira")
        export(store, Selection(), "brat", out)
    return out


def read_as_brat(txt: Path) -> list[tuple[str, list[tuple[int, int]], str, str]]:
    """(id, fragments, text written, text at the offsets) per T line, read as brat
    reads: the .txt decoded without newline translation, the .ann split by
    splitlines, the text taken by length after the second tab."""
    text = txt.read_bytes().decode("utf-8")
    out = []
    for line in txt.with_suffix(".ann").read_bytes().decode("utf-8").splitlines():
        ident, tail = line.split("\t", 1)
        if not ident.startswith("T"):
            continue
        data, tail = tail[: tail.index("\t")], tail[tail.index("\t") :]
        fragments = [tuple(map(int, f.split())) for f in data.split(" ", 1)[1].split(";")]
        length = sum(b - a for a, b in fragments) + len(fragments) - 1
        at_offsets = " ".join(text[a:b] for a, b in fragments)
        out.append((ident, fragments, tail[1 : length + 1], at_offsets))
    return out


def test_every_exported_span_is_found_where_brat_looks(tmp_path):
    out = _exported(tmp_path, _spans())
    [txt] = sorted(out.glob("*.txt"))
    assert txt.read_bytes() == TEXT.encode("utf-8")  # byte for byte: brat never edits it
    read = read_as_brat(txt)
    assert len(read) == 5
    for ident, _, written, at_offsets in read:
        assert written == at_offsets, ident
    texts = [written for *_, written, _ in read]
    assert "Reuters\tNews" in texts  # the tab as it is
    [york] = [r for r in read if r[2] == "New York"]
    new = TEXT.index("New\r\n")
    assert york[1] == [(new, new + 3), (new + 5, new + 9)]  # two fragments, the CRLF between


def test_annotation_conf_declares_what_the_export_holds(tmp_path):
    out = _exported(tmp_path, _spans())
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    ann = next(out.glob("*.ann")).read_text(encoding="utf-8")
    assert "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>" in conf
    assert "SOURCE\tArg1:KILLED, Arg2:SOURCE" in conf
    assert "Value\tArg:KILLED, Value:12" in conf  # multi-valued: the numbers written
    assert "Qualifier\tArg:KILLED, Value:at_least" in conf
    [relation] = [line for line in ann.splitlines() if line.startswith("R")]
    ids = {line.split("\t")[2]: line.split("\t")[0] for line in ann.splitlines() if line[0] == "T"}
    assert (
        relation == f"R1\tSOURCE Arg1:{ids['at least 12 people']} Arg2:{ids['Officials in Homs']}"
    )
    # Without overlaps there is no <OVERLAP> declaration.
    single = _exported(tmp_path / "one", [Span(*_at("Homs"), "GPE")])
    assert "<OVERLAP>" not in (single / "annotation.conf").read_text(encoding="utf-8")


def test_round_trip_keeps_text_spans_counts_and_relations(tmp_path):
    spans = _spans()
    out = _exported(tmp_path, spans)
    db = tmp_path / "back.db"
    with Store(db) as store:
        result = import_gold(store, [out], "amira")
        assert result.notices.lines() == []
        [ann] = list(store.annotations(annotator="amira"))
    assert ann.document.text == TEXT
    back = ann.gold_spans()
    key = sorted((s.start, s.end, s.label, s.attrs) for s in spans)
    assert sorted((s.start, s.end, s.label, s.attrs) for s in back) == key
    [killed] = [s for s in back if s.label == "KILLED"]
    assert link_of(killed) == (*_at("Officials in Homs"), "SOURCE")


BRAT_TXT = "Two soldiers died in New\nYork.\tReuters said three more were hurt.\n"
BRAT_ANN = (
    "T1\tKILLED 0 12\tTwo soldiers\n"
    "T2\tGPE 21 24;25 29\tNew York\n"  # across the line break, as brat's annotator splits
    "T3\tORG 31 38\tReuters\n"  # after a tab
    "T4\tINJURED 44 54\tthree more\n"
    "T5\tEVENT 4 12;13 17\tsoldiers died\n"  # a discontinuous span: not in the scheme
    "A1\tValue T1 2\n"
    "A2\tQualifier T1 exact\n"
    "A3\tNegated T3\n"
    "A4\tCertainty T4 Likely\n"
    "A5\tNegated E1\n"
    "R1\tSOURCE Arg1:T4 Arg2:T3\n"
    "R2\tLocated Arg1:T1 Arg2:T2\n"
    "E1\tEVENT:T5 Victim:T1\n"
    "N1\tReference T2 Wikipedia:645042\tNew York City\n"
    "*\tEquiv T2 T3\n"
    "#1\tAnnotatorNotes T1\tcheck the count\n"
)


def _brat_folder(tmp_path: Path, name: str = "doc", txt: str = BRAT_TXT, ann: str = BRAT_ANN):
    folder = tmp_path / "from-brat"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.txt").write_bytes(txt.encode("utf-8"))
    if ann is not None:
        (folder / f"{name}.ann").write_bytes(ann.encode("utf-8"))
    return folder


def test_a_brat_file_keeps_what_fits_and_lists_the_rest(tmp_path, db_path):
    folder = _brat_folder(tmp_path)
    read = read_brat_pair(folder / "doc.txt")
    got = {s.text_in(BRAT_TXT): s for s in read.document.spans}
    # One span over the line break; the discontinuous EVENT is not kept.
    assert sorted(got) == ["New\nYork", "Reuters", "Two soldiers", "three more"]
    assert got["Two soldiers"].attrs == {"value": 2, "qualifier": "exact"}
    assert got["Reuters"].attrs == {"Negated": True}
    injured = got["three more"]
    assert injured.attrs["Certainty"] == "Likely"
    assert (injured.attrs["value"], injured.attrs["qualifier"]) == (None, None)
    assert link_of(injured) == (31, 38, "ORG")
    assert read.dropped == {
        "discontinuous span (T)": 1,
        "attribute (A) of an annotation not imported": 1,
        "relation (R) 'Located', not a configured relation": 1,
        "event (E)": 1,
        "normalisation (N)": 1,
        "equivalence (*)": 1,
        "note (#)": 1,
    }
    result = CliRunner().invoke(
        cli, ["--db", str(db_path), "import", "--as-gold", "--annotator", "m", str(folder)]
    )
    assert result.exit_code == 0, result.output
    [dropped] = [line for line in result.output.splitlines() if "not imported from" in line]
    assert dropped.startswith(f"{folder / 'doc.txt'}: not imported from the .ann: 1 attribute")
    assert "1 event (E)" in dropped and "1 note (#)" in dropped
    assert "1 casualty span(s) with no value or qualifier" in result.output
    assert "'three more'" in result.output


def test_offsets_counted_with_universal_newlines_are_mapped_back(tmp_path):
    """A brat whose reader did translate CRLF (Python 2.7 before codecs.open dropped
    the 'U'): its offsets count one character per line end; they land on our text."""
    txt = "Two died\r\nin Homs.\r\nThree in Hama.\r\n"
    universal = txt.replace("\r\n", "\n")
    ann = "".join(
        f"T{i}\tGPE {universal.index(w)} {universal.index(w) + len(w)}\t{w}\n"
        for i, w in enumerate(["Homs", "Hama"], start=1)
    )
    folder = _brat_folder(tmp_path, txt=txt, ann=ann)
    read = read_brat_pair(folder / "doc.txt")
    assert [s.text_in(txt) for s in read.document.spans] == ["Homs", "Hama"]


def test_a_txt_without_ann_is_reported_not_imported_as_gold(tmp_path, db_path):
    folder = _brat_folder(tmp_path)
    _brat_folder(tmp_path, "lonely", "A text nobody annotated.\n", None)
    with Store(db_path) as store:
        result = import_gold(store, [folder], "amira")
        assert result.documents_added == 1
        assert [a.document.text for a in store.annotations(annotator="amira")] == [BRAT_TXT]
    assert result.notices.unpaired == [
        f"{folder / 'lonely.txt'}: no lonely.ann beside it: no gold, not imported"
    ]


def test_casualty_spans_with_no_value_are_reported_per_file(tmp_path, db_path):
    """doccano: a casualty span selected whole whose words the normaliser cannot read."""
    path = tmp_path / "doccano.jsonl"
    lines = [
        {"text": "Gunmen killed scores of people in Kware.", "label": [[14, 30, "KILLED"]]},
        {"text": "Officials said 12 were killed.", "label": [[15, 17, "KILLED"]]},
        {"text": "Untold numbers were hurt.", "label": [[0, 14, "INJURED"]]},
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    with Store(db_path) as store:
        result = import_paths(store, [path])
    [note] = result.notices.no_value
    assert (note.path, note.count) == (path.as_posix(), 2)
    assert note.examples == ("scores of people", "Untold numbers")
    assert str(note).startswith(f"{path.as_posix()}: 2 casualty span(s) with no value")
    cli_result = CliRunner().invoke(cli, ["--db", str(tmp_path / "c.db"), "import", str(path)])
    assert cli_result.exit_code == 0
    assert str(note) in cli_result.output


# ---- brat's own verifier ------------------------------------------------------------------

_DRIVER = """
from __future__ import print_function
import json, os, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import annotation, verify_annotations
from projectconfig import ProjectConfiguration
from message import Messager
out = {}
for doc in sys.argv[3:]:
    with annotation.TextAnnotations(doc, read_only=True) as ann:
        issues = verify_annotations.verify_annotation(
            ann, ProjectConfiguration(os.path.dirname(doc)))
        collected = ann.get_messages() if getattr(annotation, "PROGRAMMATIC", 0) else None
        out[doc] = {
            "failed": list(ann.failed_lines),
            "issues": [i.human_readable_str() for i in issues],
            "textbounds": len(list(ann.get_textbounds())),
            "relations": len(list(ann.get_relations())),
            "attributes": len(list(ann.get_attributes())),
            "errors": collected.errors if collected else [],
        }
class Lines(object):
    def __init__(self):
        self.parts = []
    def write(self, part):
        self.parts.append(part)
lines = Lines()
Messager.output(lines)
out["messages"] = "".join(lines.parts)
print(json.dumps(out))
"""


def _brat_verifier() -> tuple[str, Path]:
    server = os.environ.get("BRAT_SERVER")
    if not server or not Path(server, "verify_annotations.py").is_file():
        pytest.skip("brat's verifier: set BRAT_SERVER to brat's server/src folder")
    python = os.environ.get("BRAT_PYTHON", "python3")
    probe = subprocess.run(
        [
            python,
            "-c",
            "import codecs, sys; codecs.open(sys.argv[1], 'rU', encoding='utf8')",
            server + "/verify_annotations.py",
        ],
        capture_output=True,
    )
    if probe.returncode:
        pytest.skip(f"brat's verifier: {python} cannot open files brat's way (mode 'rU')")
    return python, Path(server)


BREAKS = "Kabul:\nthree were hurt\u2028near Herat.\n\nNo one else.\fEnd"


def _break_spans() -> list[Span]:
    """Spans ending at line breaks of every kind, attributes brat can hold, no count."""
    t = BREAKS
    counted = {"value": 3, "qualifier": "exact", "Negated": True, "Certainty": "high"}
    return [
        Span(t.index(":"), t.index("three"), "GPE"),  # ends after a break: an empty fragment
        Span(t.index("three"), t.index("hurt") + 4, "INJURED", counted),
        Span(t.index("Herat"), t.index("No"), "GPE"),  # ends after two breaks
        Span(t.index("No"), len(t), "KILLED", {"value": None, "qualifier": None}),  # over FF
    ]


def test_brats_own_verifier_accepts_the_export(tmp_path):
    python, server = _brat_verifier()
    out = tmp_path / "brat"
    with Store(tmp_path / "source.db") as store:
        store.save_gold(
            [
                NewDocument(TEXT, {}, "test", tuple(_spans())),
                NewDocument(BREAKS, {}, "test", tuple(_break_spans())),
            ],
            "amira",
        )
        export(store, Selection(), "brat", out)
    config = tmp_path / "brat-config"
    config.mkdir()
    (config / "config.py").write_text("DEBUG = False\n", encoding="utf-8")
    docs = [str(p.with_suffix("")) for p in sorted(out.glob("*.txt"))]
    run = subprocess.run(
        [python, "-W", "ignore", "-c", _DRIVER, str(server), str(config), *docs],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,  # brat loops on some configurations it cannot use: fail, not hang
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report.pop("messages") == ""
    assert [(r["textbounds"], r["relations"], r["attributes"]) for r in report.values()] == [
        (5, 1, 2),
        (4, 0, 4),
    ]
    for doc in docs:
        assert (report[doc]["failed"], report[doc]["issues"], report[doc]["errors"]) == (
            [],
            [],
            [],
        ), doc
