"""import_appendix and import_indicators on the command line: for scripts and for checking a file first."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from indicators.models import Indicator
from plans.models import Document
from tasks.models import Task
from tests.plans import tablefiles

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "demo"

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_dry_run_with_json_prints_the_preview_and_writes_nothing(demo):
    before = Document.objects.count()
    out = run(
        "import_appendix",
        str(FIXTURES / "kh-275-phu-luc.xlsx"),
        "--document",
        "77/KH-UBND",
        "--province",
        "phu-yen",
        "--year",
        "2024",
        "--dry-run",
        "--json",
    )
    data = json.loads(out)
    assert Document.objects.count() == before  # not even the draft document
    assert [s["number"] for s in data["sections"]] == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
    task = data["sections"][2]["tasks"][2]
    assert {k: task[k] for k in ("number", "due_date", "due_kind", "needs_confirmation")} == {
        "number": "3",
        "due_date": "2024-02-29",
        "due_kind": "month",
        "needs_confirmation": False,
    }
    assert task["lead"] == ["Văn phòng UBND tỉnh"]
    assert task["cooperating"] == ["Các sở, ban, ngành", "UBND cấp huyện"]
    assert set(task) >= {
        "number",
        "title",
        "lead",
        "cooperating",
        "deadline_text",
        "due_date",
        "due_kind",
        "needs_confirmation",
        "warnings",
    }
    council = data["sections"][5]["tasks"][0]
    assert (council["due_date"], council["due_kind"], council["needs_confirmation"]) == (None, "event", True)
    assert data["errors"] == []


def test_a_new_document_is_created_as_a_draft_and_filled(demo):
    out = run(
        "import_appendix",
        str(FIXTURES / "kh-275-phu-luc.xlsx"),
        "--document",
        "78/KH-UBND",
        "--province",
        "phu-yen",
        "--year",
        "2024",
    )
    document = Document.objects.get(number="78/KH-UBND")
    assert document.is_draft and document.doc_type == "plan" and document.year == 2024
    assert Task.objects.filter(document=document).count() == 56
    assert "56 nhiệm vụ" in out and "Đã ghi" in out


def test_running_it_again_updates_in_place(demo):
    args = (
        "import_appendix",
        str(FIXTURES / "kh-275-phu-luc.xlsx"),
        "--document",
        "79/KH-UBND",
        "--province",
        "phu-yen",
    )
    run(*args)
    ids = set(Task.objects.filter(document__number="79/KH-UBND").values_list("pk", flat=True))
    out = run(*args, "--json")
    assert json.loads(out)["result"]["created"] == 0
    assert set(Task.objects.filter(document__number="79/KH-UBND").values_list("pk", flat=True)) == ids


def test_errors_exit_non_zero_and_write_nothing(demo, tmp_path):
    bad = tmp_path / "trung.xlsx"
    header = ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian thực hiện"]
    bad.write_bytes(
        tablefiles.xlsx(
            [
                header,
                ["I", "Mục", "", ""],
                ["1", "Việc A", "Sở Tư pháp", "Năm 2025"],
                ["1", "Việc B", "Sở Tư pháp", "Năm 2025"],
            ]
        )
    )
    with pytest.raises(CommandError, match="lỗi"):
        run("import_appendix", str(bad), "--document", "80/KH-UBND", "--province", "phu-yen")
    assert not Document.objects.filter(number="80/KH-UBND").exists()


def test_a_broken_file_gets_the_readers_message(demo, tmp_path):
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CommandError, match="không phải là bảng tính Excel"):
        run("import_appendix", str(broken), "--document", "275/KH-UBND")


def test_a_missing_document_without_province_is_explained(demo):
    with pytest.raises(CommandError, match="--province"):
        run("import_appendix", str(FIXTURES / "kh-275-phu-luc.xlsx"), "--document", "999/KH-UBND")


def test_import_indicators_json_shape(demo):
    out = run(
        "import_indicators",
        str(FIXTURES / "binh-dinh-chi-tieu.xlsx"),
        "--document",
        "5/UBND-KSTT",
        "--province",
        "binh-dinh",
        "--year",
        "2024",  # the seed's year: Bình Định and its district level existed (from 1/7/2025 "UBND cấp huyện" is warned)
        "--dry-run",
        "--json",
    )
    data = json.loads(out)
    assert len(data["indicators"]) == 10
    first = data["indicators"][0]
    assert set(first) >= {"number", "name", "unit", "target", "targets", "monitoring", "implementing"}
    assert first["targets"] == [
        {"applies_to": "Các sở, ban, ngành", "value": "90"},
        {"applies_to": "Các cơ quan Trung ương đóng trên địa bàn tỉnh", "value": "87"},
        {"applies_to": "UBND cấp huyện", "value": "84"},
    ]
    assert first["monitoring"] == ["Sở Nội vụ"]
    assert data["errors"] == []


def test_import_indicators_from_word_writes_them(demo, tmp_path):
    path = tmp_path / "chi-tieu.docx"
    path.write_bytes(tablefiles.binh_dinh_docx())
    run("import_indicators", str(path), "--document", "6/UBND-KSTT", "--province", "binh-dinh", "--year", "2022")
    indicators = Indicator.objects.filter(document__number="6/UBND-KSTT").order_by("order")
    numbered = [
        row for row in (*tablefiles.BD_BODY_1, *tablefiles.BD_BODY_2) if row[0] and str(row[0]).strip().isdigit()
    ]
    assert indicators.count() == len(numbered) >= 4
    par = indicators.first()
    assert [float(t.value) for t in par.targets.order_by("source_row")] == [90, 87, 84]


def test_targets_written_inside_a_sentence_are_kept_as_text_and_flagged(demo, tmp_path):
    path = tmp_path / "bac-ninh.xlsx"
    path.write_bytes(
        tablefiles.xlsx(
            [
                ["TT", "Chỉ tiêu", "Chủ trì"],
                ["I. Kinh tế số", None, None],
                ["1", "Kinh tế số chiếm 45% GRDP tỉnh.", "Sở Tài chính"],
            ]
        )
    )
    data = json.loads(
        run("import_indicators", str(path), "--document", "7/KH-UBND", "--province", "phu-yen", "--dry-run", "--json")
    )
    (indicator,) = data["indicators"]
    assert indicator["target_in_text"] is True and indicator["name"] == "Kinh tế số chiếm 45% GRDP tỉnh."
    assert any("45%" in w for w in indicator["warnings"])


def test_nested_sections_are_written_under_their_parents_and_kept_on_reimport(demo, tmp_path):
    """Đồng Nai's appendix nests sections (A > I, II): each child section points to its parent, on every import."""
    path = tmp_path / "dong-nai.xlsx"
    path.write_bytes(tablefiles.dong_nai_xlsx())
    for _ in range(2):
        run("import_appendix", str(path), "--document", "179/KH-UBND", "--province", "phu-yen", "--year", "2025")
    document = Document.objects.get(number="179/KH-UBND")
    sections = {s.path: s for s in document.sections.select_related("parent")}
    nested = [s for s in sections.values() if "/" in s.path]
    assert nested, sorted(sections)
    for section in nested:
        assert section.parent is not None and section.parent.path == section.path.rsplit("/", 1)[0]
        assert section.path == f"{section.parent.path}/{section.number}"
    assert len(sections) == document.sections.count()  # the second import added none
    assert Task.objects.filter(document=document, section__in=nested).exists()


def test_the_province_is_named_by_its_code_or_its_number_and_a_wrong_one_gets_the_closest(demo):
    """Issue 12: --province takes the readable code or the official number (66: Đắk Lắk)."""
    run(
        "import_appendix",
        str(FIXTURES / "kh-275-phu-luc.xlsx"),
        "--document",
        "80/KH-UBND",
        "--province",
        "66",
        "--dry-run",
    )
    with pytest.raises(CommandError, match="Không có tỉnh 'dak lak'; có phải: dak-lak?"):
        run(
            "import_appendix",
            str(FIXTURES / "kh-275-phu-luc.xlsx"),
            "--document",
            "81/KH-UBND",
            "--province",
            "dak lak",
        )
