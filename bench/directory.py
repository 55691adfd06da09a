"""The country's directory: load time and counts, and how many agency cells of real appendices resolve alone.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_dir python bench/directory.py --load
    python bench/directory.py --cells bench/data/realdata       # after load_demo (the whole country) in DATABASE_URL

--load migrates an empty database of its own (``<DATABASE_URL>_bench``, dropped at the end), loads the directory
twice and prints the time of each load next to a baseline measured in the same run: bulk-inserting as many bare
agency rows (no history, aliases, groups or successions).

--cells reads every appendix of a folder of real tables as text (cells between '|' lines, rows separated by an
empty cell), takes the cells of the columns that name agencies (cơ quan/đơn vị chủ trì, phối hợp, thực hiện,
theo dõi…) and resolves them in the province the file's name starts with (a central document: in Đắk Lắk).
A cell resolves without a person when every name in it is known. Works on a checkout without issue 12 too (the
"before" figure): there a province that is not in the database is replaced by Đắk Lắk.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _django import setup  # noqa: E402

AGENCY_HEADER = re.compile(r"(cơ quan|đơn vị)(?!\s+tính)|chủ trì|phối hợp", re.IGNORECASE)
NOT_AGENCY = re.compile(r"đơn vị tính|văn bản|thời hạn|thời gian|sản phẩm|ghi chú", re.IGNORECASE)
CENTRAL_FILES = ("vpcp", "bo-")


def read_rows(text: str) -> list[list[str]]:
    """The rows of a table written as cells between lines holding only '|'."""
    rows, row, cell = [], [], []
    lines = text.splitlines()
    in_table = False
    for line in lines:
        if line.strip() == "|":
            if in_table and not cell and not row:
                continue
            if in_table and not cell:  # '|' right after '|': the row ended
                rows.append(row)
                row = []
                continue
            if in_table:
                row.append(" ".join(cell).replace("**", "").strip())
                cell = []
            in_table = True
            continue
        if in_table:
            cell.append(line.strip())
    if row:
        rows.append(row)
    return rows


def agency_cells(path: Path) -> list[str]:
    cells, columns, width = [], [], 0
    for row in read_rows(path.read_text(encoding="utf-8")):
        headers = [i for i, c in enumerate(row) if AGENCY_HEADER.search(c) and not NOT_AGENCY.search(c) and len(c) < 60]
        if headers and any(re.search(r"stt|nhiệm vụ|tiêu chí|chỉ tiêu|nội dung", c, re.IGNORECASE) for c in row):
            columns, width = headers, len(row)
            continue
        if len(row) != width:  # a section row, or a row the text form cut differently: not read
            continue
        for i in columns:
            if i < len(row) and row[i].strip() and not re.fullmatch(r"[\d.,\s%]+", row[i]):
                cells.append(row[i])
    return cells


def cells_share(folder: Path) -> None:
    import datetime

    from agencies.models import Province
    from agencies.resolver import Resolver

    fallback = Province.objects.get(code="dak-lak")
    total = resolved_total = 0
    unknown: dict[str, int] = {}
    for path in sorted(folder.glob("*.md")):
        code = "-".join(path.stem.split("-")[:2])
        province = None if path.stem.startswith(CENTRAL_FILES) else Province.objects.filter(code=code).first()
        province = province or fallback
        try:
            resolver = Resolver(province, day=datetime.date(2025, 12, 1))
        except TypeError:  # a checkout without validity-aware resolving
            resolver = Resolver(province)
        cells = agency_cells(path)
        ok = 0
        for cell in cells:
            names = resolver.resolve_cell(cell)
            if names and all(r.known for r in names):
                ok += 1
            for r in names:
                if not r.known:
                    unknown[r.text] = unknown.get(r.text, 0) + 1
        total += len(cells)
        resolved_total += ok
        print(f"{path.name}: {ok}/{len(cells)} agency cells resolve without a person ({province.code})")
    share = 100 * resolved_total / total if total else 0
    print(f"all files: {resolved_total}/{total} cells = {share:.1f}%")
    print(
        "most frequent unknown names:",
        "; ".join(f"{n} ({c})" for n, c in sorted(unknown.items(), key=lambda x: -x[1])[:15]),
    )


def load_times() -> None:
    from django.db import connection, transaction

    from agencies.directory import load_directory
    from agencies.models import Agency, AgencyGroup, Alias, Province, Succession

    creation = connection.creation
    name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        first = load_directory()
        first_s = time.perf_counter() - started
        counts = {
            "provinces (current)": Province.objects.filter(is_central=False, valid_to__isnull=True).count(),
            "provinces (former, until 30/06/2025)": Province.objects.filter(valid_to__isnull=False).count(),
            "communes": Agency.objects.filter(directory_key__startswith="ward:").count(),
            "former districts (until 30/06/2025)": Agency.objects.filter(directory_key__startswith="district:").count(),
            "agencies in all": Agency.objects.count(),
            "central agencies": Agency.objects.filter(province__is_central=True).count(),
            "groups": AgencyGroup.objects.count(),
            "aliases": Alias.objects.count(),
            "successions": Succession.objects.count(),
        }
        started = time.perf_counter()
        second = load_directory()
        second_s = time.perf_counter() - started
        n = counts["agencies in all"]
        province = Province.objects.filter(is_central=False).first()
        with transaction.atomic():
            started = time.perf_counter()
            Agency.objects.bulk_create(
                [Agency(province=province, code=f"bench-{i}", name=f"Bench {i}") for i in range(n)], batch_size=1000
            )
            bare_s = time.perf_counter() - started
            transaction.set_rollback(True)
        for label, value in counts.items():
            print(f"{label}: {value}")
        print(f"baseline: bulk insert of {n} bare agency rows: {bare_s:.2f} s")
        print(
            f"first load_directory (empty database): {first_s:.2f} s = {first_s / bare_s:.1f}x the baseline; "
            f"added {first.agencies_added} agencies, {first.aliases_added} aliases, {first.groups_added} groups"
        )
        print(
            f"second load_directory (nothing to add): {second_s:.2f} s = {second_s / bare_s:.1f}x the baseline; "
            f"added {second.agencies_added}"
        )
    finally:
        creation.destroy_test_db(name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--load", action="store_true", help="measure loading the directory into an empty database")
    parser.add_argument("--cells", type=Path, help="folder of real appendices as text (.md)")
    args = parser.parse_args()
    setup()
    if args.load:
        load_times()
    if args.cells:
        cells_share(args.cells)


if __name__ == "__main__":
    main()
