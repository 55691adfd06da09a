"""Whatever a user pastes or uploads, the reader answers with rows or a TableError, never a crash."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from plans.tables import SourceRow, TableError, parse_indicator_table, parse_task_table, read_pasted, read_table

WORDS = st.sampled_from(
    [
        "STT",
        "TT",
        "Tên nhiệm vụ",
        "Nội dung",
        "Cơ quan chủ trì",
        "Chủ trì",
        "Phối hợp",
        "Thời hạn",
        "Chỉ tiêu",
        "Đơn vị tính",
        "I",
        "II",
        "A",
        "1",
        "1.1",
        "a)",
        "-",
        "- Các sở;",
        "90",
        "60%",
        "Sở Nội vụ",
        "=A1",
        "(1)",
        "",
        "",
        "Kinh tế số chiếm 45% GRDP",
        "1. Các nhiệm vụ",
        "\n",
        '"',
        "\t",
    ]
)
CELLS = st.lists(st.one_of(WORDS, st.text(max_size=12)), max_size=7)


@settings(max_examples=150, deadline=None, database=None)
@given(st.lists(CELLS, max_size=25))
def test_pasted_tables_parse_or_fail_cleanly(table):
    text = "\n".join("\t".join(row) for row in table)
    try:
        rows = read_pasted(text)
    except TableError:
        return
    for parse in (parse_task_table, parse_indicator_table):
        try:
            parse(rows)
        except TableError:
            pass


@settings(max_examples=150, deadline=None, database=None)
@given(st.lists(CELLS, max_size=25), st.lists(st.booleans(), max_size=25))
def test_source_rows_with_merges_parse_or_fail_cleanly(table, flags):
    rows = []
    for number, (cells, flag) in enumerate(zip(table, flags + [False] * len(table), strict=False), start=1):
        cells = [cell.strip() for cell in cells]
        while cells and not cells[-1]:
            cells.pop()
        merged = {len(cells): cells[0]} if flag and cells else {}
        rows.append(
            SourceRow(
                number, cells, bold=flag, hmerged=merged, vmerged=dict(merged), paragraph=flag and number % 5 == 0
            )
        )
    for parse in (parse_task_table, parse_indicator_table):
        try:
            parse(rows)
        except TableError:
            pass


@settings(max_examples=100, deadline=None, database=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_rows_or_a_table_error(data):
    try:
        read_table(b"PK\x03\x04" + data)
    except TableError:
        pass
    try:
        read_table(data)
    except TableError:
        pass
