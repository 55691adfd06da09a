"""Measure: the share of fields of the real 2025 appendices (bench/data/realdata/) the reader reads without a flag.

    python bench/realdata.py [--code /work/main]      # --code: measure another checkout's reader (the "before")

Each appendix is kept there as text: a table starts at a line "|", cells are separated by "|" lines and a row ends
with two "|" lines in a row. The script turns it into rows, guesses the table's kind, parses it and counts, for
every task, its title, lead agency, cooperating agency and deadline, and for every indicator its name, unit, target
and units: a field counts as read when it is not empty and no warning of its row, no deadline doubt and no refusal
flags it. The tests never read these files. No database.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REALDATA = Path(os.environ.get("REALDATA", ROOT / "bench" / "data" / "realdata"))

# What a person reading each appendix finds in it (counted by hand): the denominator, so that a reader that drops
# rows or refuses a table scores less.
EXPECTED = {
    "bac-ninh-2025-kh144-chi-tieu.md": {"kind": "indicators"},
    "bo-vhttdl-2025-cv6225-nhiem-vu.md": {"kind": "tasks"},
    "dong-nai-2025-kh179-nhiem-vu.md": {"kind": "tasks"},
    "hai-phong-2025-qd212-cham-diem.md": {"kind": "none"},  # a scoring form: no task table, refusing it is right
    "vpcp-2025-tb624-cham-muon.md": {"kind": "tasks"},
}

_CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
from plans.deadlines import parse_deadline
from plans.tables import SourceRow, TableError, guess_table_kind, parse_indicator_table, parse_task_table
import plans
docs, kinds = json.loads(sys.stdin.read())
out = {"_code": plans.__file__}
for name, rows in docs.items():
    source = [SourceRow(i + 1, [c for c, _b, _p in r], bold=any(b for _c, b, _p in r), paragraph=r[0][2]) for i, r in enumerate(rows)]
    kind = kinds.get(name) or guess_table_kind(source)
    fields = read = 0
    try:
        if kind == "indicators":
            table = parse_indicator_table(source)
            for item in table.items:
                flagged = bool(item.warnings)
                for value in (item.name, item.unit or "-", item.target or (item.subrows and "x") or "", item.monitoring or item.implementing):
                    fields += 1
                    read += bool(value) and not flagged
        elif kind == "tasks":
            table = parse_task_table(source)
            bad_rows = {m.row for m in table.errors}
            for item in table.tasks:
                text = " ".join(item.warnings)
                deadline = parse_deadline(item.deadline, default_year=2025)
                checks = [
                    (item.title, "tên" in text),
                    (item.lead, "chủ trì" in text),
                    (item.cooperating or "-", False),
                    (item.deadline, deadline.needs_confirmation or deadline.kind in ("unknown",)),
                ]
                for value, flag in checks:
                    fields += 1
                    read += bool(value) and not flag and item.row not in bad_rows
    except TableError as error:
        kind = "refused: " + error.code
    out[name] = {"kind": kind, "fields": fields, "read": read}
print(json.dumps(out))
"""


def rows_of(path: Path) -> list[list[tuple[str, bool, bool]]]:
    """The table rows of a realdata text: (cell text, bold, paragraph) per cell; a paragraph outside tables (a
    heading such as "1. Các nhiệm vụ…", written over several lines) as one row marked as a paragraph."""
    rows: list[list[tuple[str, bool, bool]]] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    row: list[tuple[str, bool, bool]] | None = None
    cell: list[str] = []
    previous_bar = False

    def close_cell() -> None:
        if row is not None:
            text = " ".join(cell).strip()
            row.append((text.replace("**", "").strip(), text.startswith("**"), False))

    paragraph: list[str] = []
    width = 0  # cells in the table's first row

    def flush_paragraph() -> None:
        if paragraph:
            text = " ".join(paragraph)
            rows.append([(text.replace("**", "").strip("* ").strip(), True, True)])
            paragraph.clear()

    for line in lines:
        if not line.strip() and row is None:
            flush_paragraph()
            continue
        if line.strip() == "|":
            if row is None:  # a table starts
                flush_paragraph()
                row, cell, previous_bar = [], [], True
                continue
            if previous_bar:  # "|" twice: the row ends, the next one starts
                if row:
                    width = width or len(row)
                    rows.append(row)
                row, cell = [], []
                continue
            close_cell()
            cell, previous_bar = [], True
            continue
        if previous_bar and row is not None and width and len(row) >= width:
            rows.append(row)  # a full row, then text: the table ended without its closing bar
            row, cell, width = None, [], 0
        previous_bar = False
        if row is None:  # a paragraph between tables ("1. Các nhiệm vụ về…" over two lines): one row, marked
            if line.strip().startswith(("**", "*(")) and paragraph and paragraph[-1].endswith(("**", ")*")):
                flush_paragraph()  # a new bold or italic line starts a new paragraph
            if line.strip():
                paragraph.append(line.strip())
            continue
        if paragraph:
            pass
        cell.append(line.strip())
    if row is not None:
        close_cell()
        if row:
            rows.append(row)
    flush_paragraph()
    return [r for r in rows if any(text for text, _b, _p in r)]


def measure(code: Path) -> dict:
    documents = {path.name: rows_of(path) for path in sorted(REALDATA.glob("*.md"))}
    done = subprocess.run(  # noqa: S603 - our interpreter, our script
        [sys.executable, "-I", "-c", _CHILD, str(code)],
        input=json.dumps([documents, {name: e["kind"] for name, e in EXPECTED.items()}]),
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    print(f"reader: {result.pop('_code')}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose reader is measured")
    parser.add_argument("--before", type=Path, help="also measure this checkout, for a before/after table")
    args = parser.parse_args()
    runs = {"after": measure(args.code)}
    if args.before:
        runs = {"before": measure(args.before), **runs}
    for label, result in runs.items():
        fields = sum(r["fields"] for r in result.values())
        read = sum(r["read"] for r in result.values())
        print(f"{label}: {read}/{fields} fields read without a flag ({read / max(fields, 1):.0%})")
        for name, r in result.items():
            expected = EXPECTED.get(name, {}).get("kind", "?")
            print(f"   {name:40s} {r['kind']:20s} (expected {expected:10s}) {r['read']}/{r['fields']}")


if __name__ == "__main__":
    main()
