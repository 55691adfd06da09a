"""Fixtures of the task pages: uploads go to a temporary MEDIA_ROOT; small real files of each kind, built here."""

from __future__ import annotations

import base64
import datetime
import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tasks.models import Assignment

# A 2×2 JPEG as Chromium's canvas encodes it.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeX"
    "BkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAC"
    "AAIDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAX/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABAb/xA"
    "AUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCEAMoH/9k="
)
D = datetime.date


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence files of a test land in its own folder, never in var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png_bytes() -> bytes:
    """A valid 1×1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def pdf_bytes(text: str = "Bao cao ket qua") -> bytes:
    """A one-page PDF with a line of text."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Báo cáo kết quả thực hiện nhiệm vụ")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Kết quả"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ole_bytes() -> bytes:
    """The header of an Office 97-2003 compound file (.doc/.xls), padded to one sector."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + b"\x00" * 1000


def exe_bytes() -> bytes:
    """The start of a Windows program (MZ header, PE signature)."""
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + b"\x00" * 44
        + b"\x80\x00\x00\x00"
        + b"\x00" * 64
        + b"PE\x00\x00"
        + b"\x00" * 200
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def report_data(assignment: Assignment, **values) -> dict:
    """The POST data of the report form of ``assignment``, as the page renders it, with ``values`` changed."""
    data = {
        "version": assignment.version,
        "state": "in_progress",
        "progress": 50,
        "note": "",
        "completed_on": "",
        "evidence_link": "",
        "evidence_number": "",
        "evidence_date": "",
    }
    data.update(values)
    prefix = f"a{assignment.pk}"
    return {f"{prefix}-{key}": value for key, value in data.items()}


def prefixed(prefix: str, **values) -> dict:
    return {f"{prefix}-{key}": value for key, value in values.items()}


@pytest.fixture
def lead_part(justice_task, justice):
    """Sở Tư pháp's share of its task (lead)."""
    return Assignment.objects.get(task=justice_task, agency=justice)


@pytest.fixture
def cooperating_part(justice_task, finance):
    """Sở Tài chính's share of the same task (cooperating)."""
    return Assignment.objects.get(task=justice_task, agency=finance)
