"""Evidence files: checked by content and size, stored outside the static files, served only to those allowed."""

from __future__ import annotations

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies.models import Role
from core.uploads import check_upload
from tasks import services
from tasks.models import Evidence, WorkState
from tests.conftest import make_agency, make_user
from tests.tasks.conftest import (
    JPEG,
    docx_bytes,
    exe_bytes,
    ole_bytes,
    pdf_bytes,
    png_bytes,
    report_data,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def on_20_march(time_machine):
    time_machine.move_to(datetime.datetime(2024, 3, 20, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("bao-cao.pdf", pdf_bytes(), "application/pdf"),
        ("Báo cáo.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("so-lieu.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("cong-van-cu.doc", ole_bytes(), "application/msword"),
        ("bang-cu.XLS", ole_bytes(), "application/vnd.ms-excel"),
        ("anh-hoi-nghi.jpg", JPEG, "image/jpeg"),
        ("anh-hoi-nghi.jpeg", JPEG, "image/jpeg"),
        ("so-do.png", png_bytes(), "image/png"),
    ],
)
def test_accepted_kinds(name, content, content_type):
    checked = check_upload(upload(name, content))
    assert checked.content_type == content_type
    assert checked.name == name


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bao-cao.pdf", exe_bytes(), "Tệp “bao-cao.pdf” có đuôi .pdf nhưng nội dung không phải PDF"),
        ("anh.pdf", png_bytes(), "Tệp “anh.pdf” có đuôi .pdf nhưng nội dung là ảnh PNG."),
        ("so-lieu.docx", xlsx_bytes(), "có đuôi .docx nhưng nội dung là Excel (.xlsx)"),
        ("bang.xlsx", pdf_bytes(), "có đuôi .xlsx nhưng nội dung là PDF"),
        (
            "chuong-trinh.exe",
            exe_bytes(),
            "Tệp “chuong-trinh.exe” không được nhận: chỉ nhận PDF, Word (.doc, .docx), Excel (.xls, .xlsx) và ảnh JPG, PNG.",
        ),
        ("trang.html", b"<html><script>alert(1)</script></html>", "không được nhận"),
        ("khong-duoi", pdf_bytes(), "không được nhận"),
        ("rong.pdf", b"", "Tệp “rong.pdf” trống."),
        ("nen.docx", b"PK\x03\x04" + b"\x00" * 100, "nội dung không phải Word (.docx)"),
    ],
)
def test_refused_files_say_why(name, content, message):
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(name, content))
    assert message in refused.value.messages[0]


def test_files_above_the_limit_are_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as refused:
        check_upload(upload("lon.pdf", pdf_bytes() + b"%" * 2000))
    assert (
        refused.value.messages[0]
        == "Tệp “lon.pdf” nặng 2,5 KB, vượt giới hạn 1000 byte cho mỗi tệp. Hãy nén hoặc chia nhỏ tệp."
    )


def test_the_form_states_the_limit(client, staff, justice_task):
    assert settings.UPLOAD_MAX_BYTES == 10 * 1024 * 1024
    client.force_login(staff)
    page = client.get(reverse("tasks:detail", args=[justice_task.pk])).content.decode()
    assert "mỗi tệp tối đa 10 MB" in page
    assert 'accept=".pdf,.docx,.xlsx,.doc,.xls,.jpg,.jpeg,.png"' in page


def test_several_files_at_once_are_stored_under_media_root_with_safe_names(client, staff, lead_part, media_root):
    client.force_login(staff)
    data = report_data(lead_part, note="Kết quả hội nghị")
    data[f"a{lead_part.pk}-files"] = [
        upload("../../../etc/Biên bản hội nghị.pdf", pdf_bytes()),
        upload("Ảnh hội nghị.png", png_bytes()),
        upload("Số liệu.xlsx", xlsx_bytes()),
    ]
    assert client.post(reverse("tasks:report", args=[lead_part.pk]), data).status_code == 302

    files = list(Evidence.objects.order_by("pk"))
    assert [f.original_name for f in files] == ["Biên bản hội nghị.pdf", "Ảnh hội nghị.png", "Số liệu.xlsx"]
    assert [f.content_type for f in files] == [
        "application/pdf",
        "image/png",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
    for evidence in files:
        stored = Path(evidence.file.path)
        assert stored.is_file() and stored.is_relative_to(media_root)
        assert not stored.is_relative_to(Path(settings.STATIC_ROOT))
        assert (
            evidence.file.name.startswith("evidence/2024/03/") and "hội" not in evidence.file.name
        )  # a random name on disk
    assert not (media_root.parent / "etc").exists()


def test_one_bad_file_refuses_the_whole_report(client, staff, lead_part):
    client.force_login(staff)
    data = report_data(lead_part, note="x")
    data[f"a{lead_part.pk}-files"] = [upload("tot.pdf", pdf_bytes()), upload("xau.pdf", exe_bytes())]
    response = client.post(reverse("tasks:report", args=[lead_part.pk]), data)
    assert "xau.pdf" in response.content.decode()
    assert not Evidence.objects.exists() and not lead_part.updates.exists()


@pytest.fixture
def evidence(staff, lead_part):
    update = services.report_progress(
        lead_part,
        staff,
        lead_part.version,
        services.Report(state=WorkState.IN_PROGRESS, progress=20, note="x"),
        [check_upload(upload('Kế hoạch số 45; "bản ký".pdf', pdf_bytes("Ke hoach 45")))],
    )
    return update.evidence.get()


def test_the_file_is_served_as_an_attachment_with_a_safe_name(client, staff, evidence):
    client.force_login(staff)
    response = client.get(evidence.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''K%E1%BA%BF%20ho%E1%BA%A1ch" in disposition  # RFC 6266, no raw quotes or newlines
    assert "\n" not in disposition and '"bản' not in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")


def test_evidence_is_served_only_to_those_who_may_see_the_task(
    client, evidence, leader, reviewer, colleague_elsewhere, outsider, province
):
    url = evidence.get_absolute_url()
    for person, status in [
        (leader, 200),
        (reviewer, 200),
        (colleague_elsewhere, 200),  # the cooperating agency follows the lead's progress (issue 15)
        (outsider, 404),
        (make_user("dl", make_agency(province, "Sở Du lịch"), Role.STAFF), 404),
    ]:
        client.force_login(person)
        assert client.get(url).status_code == status, person
    client.logout()
    assert client.get(url)["Location"].startswith(reverse("login"))


def test_the_lead_agency_may_open_a_cooperating_agencys_evidence(client, staff, cooperating_part, colleague_elsewhere):
    update = services.report_progress(
        cooperating_part,
        colleague_elsewhere,
        cooperating_part.version,
        services.Report(state=WorkState.IN_PROGRESS, progress=20, note="x"),
        [check_upload(upload("kinh-phi.xlsx", xlsx_bytes()))],
    )
    client.force_login(staff)
    assert client.get(update.evidence.get().get_absolute_url()).status_code == 200


def test_a_file_missing_on_disk_answers_404(client, staff, evidence):
    Path(evidence.file.path).unlink()
    client.force_login(staff)
    assert client.get(evidence.get_absolute_url()).status_code == 404


def _with_member(content: bytes, name: str, data: bytes = b"x", declared: int | None = None) -> bytes:
    """``content`` (an Office zip) with one more member; ``declared`` forges the size its header announces."""
    import io
    import zipfile

    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(name, data)
    raw = buffer.getvalue()
    if declared is not None:  # patch the uncompressed size in the central directory entry of the new member
        import struct

        at = raw.rfind(b"PK\x01\x02")
        raw = raw[: at + 24] + struct.pack("<I", declared) + raw[at + 28 :]
    return raw


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("so-lieu.xlsx", _with_member(xlsx_bytes(), "xl/vbaProject.bin"), "có chứa macro"),
        ("bao-cao.docx", _with_member(docx_bytes(), "word/vbaProject.bin"), "có chứa macro"),
        ("bang-cu.xls", ole_bytes() + "_VBA_PROJECT_CUR".encode("utf-16-le"), "có chứa macro"),
        (
            "bao-cao.docx",
            _with_member(docx_bytes(), "word/media/big.bin", declared=4_000_000_000),
            "giải nén ra quá lớn",
        ),
    ],
)
def test_macro_files_and_zip_bombs_are_refused_as_the_appendix_import_refuses_them(name, content, message):
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, content))
    assert message in error.value.messages[0]


def test_stored_evidence_is_not_world_readable(client, staff, lead_part, media_root):
    client.force_login(staff)
    data = report_data(lead_part, note="Có tệp")
    data[f"a{lead_part.pk}-files"] = [upload("Biên bản.pdf", pdf_bytes())]
    assert client.post(reverse("tasks:report", args=[lead_part.pk]), data).status_code == 302
    stored = Path(Evidence.objects.get().file.path)
    assert stored.stat().st_mode & 0o777 == 0o640
    assert stored.parent.stat().st_mode & 0o007 == 0


def test_files_of_a_write_that_fails_are_removed(media_root):
    from django.core.files.base import ContentFile

    from core.files import removed_on_failure
    from tasks.models import Evidence as EvidenceModel

    evidence = EvidenceModel(original_name="a.pdf", content_type="application/pdf", size=3)
    with pytest.raises(RuntimeError), removed_on_failure() as saved:
        evidence.file.save("a.pdf", ContentFile(b"pdf"), save=False)
        saved.append(evidence.file)
        stored = Path(evidence.file.path)
        assert stored.is_file()
        raise RuntimeError("the row could not be written")
    assert not stored.exists()
