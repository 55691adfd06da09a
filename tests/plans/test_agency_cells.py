"""Agency cells as real documents write them: a named cooperating agency inside the lead group, names glued together,
collectives without "Các", scope prose after a name, and parties that are not agencies."""

from __future__ import annotations

import pytest

from agencies.models import Agency, User
from agencies.names import parse_agency_cell
from cchc_portal.documents.services import import_file, preview_file
from plans.models import Document
from tasks.models import Task
from tasks.parties import is_other_party, prepare_cell
from tests.plans import tablefiles as tf

HEADER = ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"]


def names(cell: str) -> list[str]:
    return [part.text for part in parse_agency_cell(prepare_cell(cell))]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Sở Y tế và các cơ quan, địa phương liên quan", ["Sở Y tế", "các cơ quan, địa phương liên quan"]),
        ("Sở, ban, ngành liên quan", ["Các sở, ban, ngành liên quan"]),
        ("sở, ban, ngành", ["Các sở, ban, ngành"]),
        ("Sở ban ngành", ["Các sở, ban, ngành"]),
        ("Sở, ngành liên quan", ["Các sở, ban, ngành liên quan"]),
        ("UBND các xã, phường và Sở, ngành liên quan", ["UBND các xã, phường", "Các sở, ban, ngành liên quan"]),
        ("Sở Tài chính Sở Xây dựng", ["Sở Tài chính", "Sở Xây dựng"]),
        ("Sở Tài chính Sở Xây dựng Sở Nội vụ", ["Sở Tài chính", "Sở Xây dựng", "Sở Nội vụ"]),
        ("Bộ Công an Bộ Tư pháp", ["Bộ Công an", "Bộ Tư pháp"]),
        ("Bộ Tài chính với các quy định về phí, lệ phí", ["Bộ Tài chính"]),
        ("Bộ Tài chính về nội dung thu, chi; Bộ Tư pháp", ["Bộ Tài chính", "Bộ Tư pháp"]),
        ("Bộ Tài chính đối với lĩnh vực thuế, phí, Bộ Tư pháp", ["Bộ Tài chính", "Bộ Tư pháp"]),
        # one name each, not two
        ("Văn phòng UBND tỉnh", ["Văn phòng UBND tỉnh"]),
        ("Văn phòng Sở Nội vụ", ["Văn phòng Sở Nội vụ"]),
        ("Thanh tra Sở Xây dựng", ["Thanh tra Sở Xây dựng"]),
        ("Sở Khoa học và Công nghệ", ["Sở Khoa học và Công nghệ"]),
    ],
)
def test_the_splitter_cuts_cells_into_the_names_a_person_reads(cell, expected):
    assert names(cell) == expected


@pytest.mark.parametrize(
    "name",
    [
        "các doanh nghiệp",
        "Doanh nghiệp",
        "nhà đầu tư",
        "Chủ đầu tư các dự án",
        "Người dân",
        "Nhân dân",
        "Hiệp hội Doanh nghiệp tỉnh",
        "Hội Nông dân tỉnh",
        "Hội Liên hiệp Phụ nữ tỉnh",
        "Ủy ban MTTQ Việt Nam tỉnh",
        "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
        "Tỉnh đoàn",
        "Liên đoàn Lao động tỉnh",
        "các tổ chức chính trị - xã hội",
        "Công ty Điện lực",
        "Tổ chức, cá nhân",
    ],
)
def test_parties_that_are_not_agencies_are_recognised(name):
    assert is_other_party(name)


@pytest.mark.parametrize(
    "name", ["Sở Nội vụ", "UBND cấp xã", "Văn phòng UBND tỉnh", "Các sở, ban, ngành", "Công an tỉnh", "Phòng Pháp chế"]
)
def test_agencies_are_not_other_parties(name):
    assert not is_other_party(name)


@pytest.mark.django_db
def test_named_cooperating_agencies_of_kh275_stay_cooperating(demo):
    """KH 275: "chủ trì: Các sở, ban, ngành; phối hợp: Sở Nội vụ" (IV.1, IV.2, IV.5) and the like."""
    for section, number, agency in [
        ("III", "4", "Văn phòng UBND tỉnh"),
        ("III", "7", "Văn phòng UBND tỉnh"),
        ("IV", "1", "Sở Nội vụ"),
        ("IV", "2", "Sở Nội vụ"),
        ("IV", "5", "Sở Nội vụ"),
        ("VIII", "5", "Sở Thông tin và Truyền thông"),
    ]:
        task = Task.objects.get(document=demo, section__number=section, number=number)
        # Before: the named agency became a lead through the group, and the task had no cooperating agency.
        roles = {a.agency.name: a.role for a in task.assignments.select_related("agency")}
        assert roles[agency] == "cooperating", (section, number, roles.get(agency))
        assert "lead" in roles.values()


@pytest.mark.django_db
def test_cells_of_real_documents_are_imported_as_a_person_reads_them(client, demo):
    # Dated within the test world (2024): Phú Yên and its departments ended on 30/06/2025 (issue 12).
    document = Document.objects.create(province=demo.province, number="34/KH-UBND", title="Kế hoạch", year=2024)
    rows = [
        HEADER,
        ["1", "Quy định phí", "Sở Tài chính Sở Xây dựng", "Sở, ban, ngành liên quan", "Năm 2026"],
        ["2", "Thu hút đầu tư", "Sở Tài chính", "Các doanh nghiệp, nhà đầu tư; Hiệp hội Doanh nghiệp tỉnh", "Năm 2026"],
        ["3", "Lấy ý kiến", "Sở Tư pháp với các quy định về phí, lệ phí", "Người dân", "Năm 2026"],
    ]
    data = tf.xlsx(rows)
    preview = preview_file(document, data, "bang.xlsx", "tasks")
    assert preview.unknown_names() == {}  # no party offered to be mapped as an unknown agency
    first, second, third = preview.tasks
    assert [r.canonical_name for r in first.lead] == ["Sở Tài chính", "Sở Xây dựng"]
    assert [r.group.name for r in first.cooperating if r.group] != []
    assert second.other_parties == ["Các doanh nghiệp, nhà đầu tư", "Hiệp hội Doanh nghiệp tỉnh"]
    assert [r.canonical_name for r in third.lead] == ["Sở Tư pháp"] and third.other_parties == ["Người dân"]

    _preview, result = import_file(document, data, "bang.xlsx", "tasks")
    assert result is not None
    task = Task.objects.get(document=document, number="2")
    assert (
        task.other_parties == ["Các doanh nghiệp, nhà đầu tư", "Hiệp hội Doanh nghiệp tỉnh"]
        and task.unresolved_names == []
    )
    assert [a.agency.name for a in task.assignments.select_related("agency")] == ["Sở Tài chính"]
    glued = Task.objects.get(document=document, number="1")
    leads = sorted(a.agency.name for a in glued.assignments.filter(role="lead").select_related("agency"))
    assert leads == ["Sở Tài chính", "Sở Xây dựng"]
    assert glued.assignments.filter(role="cooperating").count() >= 5  # the departments of the province
    client.force_login(User.objects.get(username="sonoivu"))
    page = client.get(task.get_absolute_url()).content.decode()
    assert "Các bên khác" in page and "Hiệp hội Doanh nghiệp tỉnh" in page
    assert Agency.objects.filter(name__icontains="doanh nghiệp").count() == 0  # never created as agencies
