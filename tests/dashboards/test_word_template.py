"""The periodic Word report is a template file (docxtpl): who signs it, a province's own template, and its checks.

The default template is ``cchc_portal/reports/templates_docx/bao-cao-dinh-ky.docx``; a province administrator
replaces it in the admin (Cài đặt báo cáo của tỉnh) and may return to it. Every report here is read back with
python-docx, as a person would open it.
"""

import io

import docx
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docxtpl import DocxTemplate

from agencies.models import Province, Role
from cchc_portal.dashboards import exports, wordreport
from cchc_portal.models import ProvinceReportSettings
from tests.dashboards.conftest import person

pytestmark = pytest.mark.django_db

ADD_URL = "admin:cchc_portal_provincereportsettings_add"


def word_bytes(*lines: str) -> bytes:
    """A .docx made of one paragraph per line."""
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def report(client, user, **params) -> docx.Document:
    client.force_login(user)
    response = client.get(reverse("dashboard:export_docx"), {"period": "quarter-1", **params})
    assert response.status_code == 200
    return docx.Document(io.BytesIO(response.content))


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def signature(document) -> tuple[list[str], list[str]]:
    recipients, signer = document.tables[1].rows[0].cells
    return recipients.text.split("\n"), [line for line in signer.text.split("\n") if line]


def settings_form(province, template: bytes | None = None, name="mau.docx", **extra) -> dict:
    data = {
        "province": province.pk,
        "signer_authority": "KT. GIÁM ĐỐC",
        "signer_title": "PHÓ GIÁM ĐỐC",
        "signer_name": "Nguyễn Văn An",
        "recipients": "- Như trên;\n- Bộ Nội vụ (b/c);\n- Lưu: VT, CCHC.",
        **extra,
    }
    if template is not None:
        data["template"] = SimpleUploadedFile(name, template)
    return data


def test_the_province_report_is_signed_by_the_signer_of_its_settings(client, plan, sonoivu, may_first):
    ProvinceReportSettings.objects.create(
        province=plan.province,
        signer_authority="KT. GIÁM ĐỐC",
        signer_title="PHÓ GIÁM ĐỐC",
        signer_name="Nguyễn Văn An",
        recipients="- Như trên;\n- Bộ Nội vụ (b/c);\n- Lưu: VT, CCHC.",
    )
    recipients, signer = signature(report(client, sonoivu, document=plan.pk))
    assert signer == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn An"]
    assert recipients == ["Nơi nhận:", "- Như trên;", "- Bộ Nội vụ (b/c);", "- Lưu: VT, CCHC."]


def test_an_agency_report_is_signed_by_its_leader_by_name(client, plan, may_first):
    leader = person("sotuphap")
    leader.role, leader.first_name, leader.last_name = Role.LEADER, "Bình", "Trần Thị"
    leader.save(update_fields=["role", "first_name", "last_name"])
    recipients, signer = signature(report(client, leader))
    assert signer == ["GIÁM ĐỐC", leader.get_full_name()]
    assert recipients == ["Nơi nhận:", "- Như trên;", "- Lưu: VT."]


def test_a_province_admin_replaces_the_template_and_returns_to_the_default(client, plan, sonoivu, may_first):
    own = word_bytes(
        "MẪU RIÊNG: {{ trich_yeu }}",
        "{%p for r in phu_luc.dong %}",
        "{{ r.stt }}. {{ r.ten }}",
        "{%p endfor %}",
        "Người ký: {{ nguoi_ky.chuc_vu }} {{ nguoi_ky.ho_ten }}",
    )
    client.force_login(sonoivu)
    assert client.get(reverse(ADD_URL)).status_code == 200
    response = client.post(reverse(ADD_URL), settings_form(plan.province, own))
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = ProvinceReportSettings.objects.get(province=plan.province)
    assert saved.template.name.startswith("report_templates/phu-yen/")

    text = texts(report(client, sonoivu, document=plan.pk))
    assert text[0] == "MẪU RIÊNG: Kết quả thực hiện công tác cải cách hành chính quý I năm 2024"
    assert len(text) == 1 + 8 + 56 + 1  # the title, a line per section and per task, the signer
    assert text[-1] == "Người ký: PHÓ GIÁM ĐỐC Nguyễn Văn An"
    download = client.get(reverse("admin:cchc_portal_provincereportsettings_template", args=[saved.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == own

    change = reverse("admin:cchc_portal_provincereportsettings_change", args=[saved.pk])
    response = client.post(change, {**settings_form(plan.province), "use_default": "on"})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert not saved.template
    assert "BÁO CÁO" in texts(report(client, sonoivu, document=plan.pk))


@pytest.mark.parametrize(
    ("lines", "name", "message"),
    [
        (["{{ trich_yeu }} {{ ten_sai }}"], "mau.docx", "Mẫu dùng biến không có trong báo cáo: {{ ten_sai }}."),
        (["{{ nguoi_ky.chuc_danh }}"], "mau.docx", "Mẫu dùng biến hoặc trường không có trong báo cáo: “chuc_danh”."),
        (["{% for x in %}"], "mau.docx", "Mẫu có lỗi cú pháp"),
        (["{{ trich_yeu.__class__.__mro__ }}"], "mau.docx", "Mẫu dùng lệnh không được phép trong mẫu báo cáo."),
        (["{{ trich_yeu }}"], "mau.doc", "Mẫu báo cáo phải là tài liệu Word (.docx)."),
    ],
)
def test_an_uploaded_template_that_does_not_render_is_refused_with_the_reason(
    client, plan, sonoivu, may_first, lines, name, message
):
    client.force_login(sonoivu)
    response = client.post(reverse(ADD_URL), settings_form(plan.province, word_bytes(*lines), name))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProvinceReportSettings.objects.exists()


def test_a_file_that_is_not_word_is_refused(client, plan, sonoivu, may_first):
    client.force_login(sonoivu)
    response = client.post(reverse(ADD_URL), settings_form(plan.province, b"{{ trich_yeu }}", "mau.docx"))
    assert response.status_code == 200
    assert "nội dung không phải Word (.docx)" in response.content.decode()
    assert not ProvinceReportSettings.objects.exists()


def test_the_default_template_downloads_and_another_provinces_template_does_not(client, plan, sonoivu, may_first):
    other = ProvinceReportSettings.objects.create(
        province=Province.objects.get(code="tuyen-quang"), signer_title="GIÁM ĐỐC", signer_name="Lê Văn Cường"
    )
    other.template.save("mau.docx", ContentFile(word_bytes("{{ trich_yeu }}")), save=True)
    client.force_login(sonoivu)
    default = client.get(reverse("admin:cchc_portal_provincereportsettings_default"))
    assert default.status_code == 200
    assert b"".join(default.streaming_content) == wordreport.DEFAULT_TEMPLATE.read_bytes()
    url = reverse("admin:cchc_portal_provincereportsettings_template", args=[other.pk])
    assert client.get(url).status_code == 404
    changelist = client.get(reverse("admin:cchc_portal_provincereportsettings_changelist")).content.decode()
    assert "Lê Văn Cường" not in changelist
    client.force_login(person("admin"))
    assert client.get(url).status_code == 200


def test_an_empty_report_says_so_once_per_part(plan):
    _full, _agency, empty = exports.sample_contexts(plan.province)
    text = texts(docx.Document(io.BytesIO(wordreport.render(wordreport.DEFAULT_TEMPLATE, empty))))
    for message in [
        "Trong kỳ không có nhiệm vụ chỉ đạo, điều hành, tuyên truyền.",
        "Ghi chú: nội dung 1, 2, 3, 4, 5, 6 không có nhiệm vụ trong kế hoạch.",
        "Không có nhiệm vụ quá hạn.",
        "Tiếp tục triển khai các nhiệm vụ theo kế hoạch.",
    ]:
        assert text.count(message) == 1, message


def read_all(content: bytes) -> tuple[list[str], list[list[str]], str]:
    document = docx.Document(io.BytesIO(content))
    tables = [[cell.text for row in table.rows for cell in row.cells] for table in document.tables]
    return texts(document), tables, document.sections[0].header._element.xml


def test_the_streamed_rendering_gives_what_docxtpl_gives(plan):
    """The body is rendered piece by piece; the result is the one docxtpl renders whole, quoted text included."""
    full, *_rest = exports.sample_contexts(plan.province)
    full["phu_luc"]["dong"][1]["ket_qua"] = "Dòng một <b>&amp;\nDòng hai\tcột"
    full["phu_luc"]["dong"] *= 400  # past one piece of the stream
    whole = DocxTemplate(str(wordreport.DEFAULT_TEMPLATE))
    whole.render(full, jinja_env=wordreport._environment())
    buffer = io.BytesIO()
    whole.save(buffer)

    streamed = read_all(wordreport.render(wordreport.DEFAULT_TEMPLATE, full))
    assert streamed == read_all(buffer.getvalue())
    appendix = streamed[1][-1]
    assert "Dòng một <b>&amp;\nDòng hai\tcột" in appendix


@pytest.mark.parametrize(
    ("title", "cited"),
    [
        ("Cải cách hành chính năm 2024", "Kế hoạch số 1/KH-UBND về cải cách hành chính năm 2024"),
        ("CCHC năm 2025", "Kế hoạch số 1/KH-UBND về CCHC năm 2025"),  # an acronym keeps its capitals
    ],
)
def test_a_plan_is_cited_by_its_subject(title, cited):
    from plans.models import Document

    assert exports._document_reference(Document(number="1/KH-UBND", title=title)) == cited
