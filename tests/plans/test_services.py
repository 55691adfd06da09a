"""The parsed table an import job keeps as JSON between the upload and the confirmation reads back unchanged."""

from __future__ import annotations

import json

import pytest

from cchc_portal.documents.services import table_from_json, table_to_json
from plans.tables import parse_indicator_table, parse_task_table, read_table
from tests.plans import tablefiles as tf

DUPLICATES = [
    tf.PY_HEADER,
    ["I", "Cải cách thể chế"],
    [1, "Nhiệm vụ một", "Sở Nội vụ", "", "Quý I/2024"],
    [1, "Nhiệm vụ hai", "Sở Tư pháp", "", "2024"],
]


@pytest.mark.parametrize(
    "data", [tf.dong_nai_xlsx(), tf.vpcp_xlsx(), tf.xlsx(DUPLICATES)], ids=["sections", "extra", "errors"]
)
def test_task_table_survives_the_json_round_trip(data):
    table = parse_task_table(read_table(data))
    assert table.items
    stored = json.loads(json.dumps(table_to_json(table)))  # as the job's JSONField stores it
    assert table_from_json("tasks", stored) == table


def test_the_round_trip_tables_hold_what_they_test():
    assert any(i.kind == "section" and i.section_path for i in parse_task_table(read_table(tf.dong_nai_xlsx())).items)
    assert any(i.extra for i in parse_task_table(read_table(tf.vpcp_xlsx())).items)
    assert parse_task_table(read_table(tf.xlsx(DUPLICATES))).errors


def test_indicator_table_survives_the_json_round_trip():
    table = parse_indicator_table(read_table(tf.binh_dinh_xlsx()))
    assert any(item.subrows for item in table.items)
    stored = json.loads(json.dumps(table_to_json(table)))
    assert table_from_json("indicators", stored) == table


def test_a_table_stored_before_the_compact_form_still_reads():
    """Jobs waiting for confirmation when the portal is upgraded kept their items as dicts."""
    table = parse_task_table(read_table(tf.dong_nai_xlsx()))
    stored = json.loads(json.dumps(table_to_json(table)))
    fields = stored.pop("item_fields")
    stored["items"] = [dict(zip(fields, item, strict=True)) for item in stored["items"]]
    assert table_from_json("tasks", stored) == table
