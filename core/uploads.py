"""Check evidence files by what they contain, not only by what they are called.

Accepted: PDF, Word (.docx, and .doc in the old OLE format), Excel (.xlsx, and .xls in OLE), JPG and PNG.
A file is refused when it is larger than ``settings.UPLOAD_MAX_BYTES``, when its content is none of those
(an .exe renamed .pdf), or when its name and its content disagree (a PNG renamed .pdf): the download view
serves the stored content type, so a name that lies would mislead the reviewer who opens it.
"""

from __future__ import annotations

import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# A zip container (.xlsx, .docx, .odt…) is refused beyond these: a zip bomb inflates a few KB into gigabytes.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 compound file (.doc, .xls)
HEAD_BYTES = 8192

# extension -> (content kind it must have, content type served)
ALLOWED = {
    "pdf": ("pdf", "application/pdf"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "doc": ("ole", "application/msword"),
    "xls": ("ole", "application/vnd.ms-excel"),
    "jpg": ("jpeg", "image/jpeg"),
    "jpeg": ("jpeg", "image/jpeg"),
    "png": ("png", "image/png"),
}
KIND_NAMES = {
    "pdf": gettext_lazy("PDF"),
    "docx": gettext_lazy("Word (.docx)"),
    "xlsx": gettext_lazy("Excel (.xlsx)"),
    "ole": gettext_lazy("Word/Excel 97-2003 (.doc, .xls)"),
    "jpeg": gettext_lazy("ảnh JPG"),
    "png": gettext_lazy("ảnh PNG"),
}
MIME_KINDS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpeg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/msword": "ole",
    "application/vnd.ms-excel": "ole",
}
ACCEPT_ATTR = ",".join(f".{ext}" for ext in ALLOWED)


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, with the name to show and the content type to serve it with."""

    upload: UploadedFile
    name: str
    content_type: str


def human_size(size: int) -> str:
    """Return "10 MB", "2,5 MB", "740 KB", "900 byte": what a civil servant reads on the form."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            value = f"{size / factor:.1f}".rstrip("0").rstrip(".").replace(".", ",")
            return f"{value} {unit}"
    return f"{size} byte"


def clean_name(name: str) -> str:
    """Return the file's own name, without folders or control characters, at most 200 characters."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C").strip()
    if len(base) > 200:
        path = PurePath(base)
        base = path.stem[: 200 - len(path.suffix)] + path.suffix
    return base or "tep"


class UnsafeFile(Exception):  # noqa: N818 - reads as what the file is
    """A file of an accepted kind that carries macros or would inflate past the budget (a zip bomb)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _check_package(members: list[zipfile.ZipInfo]) -> None:
    """Refuse what the appendix import refuses: macros, and more than MAX_UNCOMPRESSED_BYTES when inflated."""
    if len(members) > MAX_ZIP_MEMBERS or sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
        raise UnsafeFile("zip_bomb")
    if any(member.filename.lower().endswith("vbaproject.bin") for member in members):
        raise UnsafeFile("macro")


def content_kind(upload: UploadedFile) -> str | None:
    """Return what the bytes are (pdf, docx, xlsx, ole, jpeg, png) or None; reads the head, and a zip's directory.

    Raise UnsafeFile for an Office file with macros (.docm/.xlsm renamed, or a .doc/.xls with a VBA project) or a
    zip bomb: the same refusals as the appendix import.
    """
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if head.startswith(OLE_MAGIC):
        if _has_vba_project(upload):
            raise UnsafeFile("macro")
        return "ole"
    kind = MIME_KINDS.get(filetype.guess_mime(head) or "")
    if not head.startswith(b"PK\x03\x04"):
        return kind
    # Every zip is opened: for its macros and its inflated size, and because filetype recognises Office files only
    # when their parts come in the usual order.
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)
    _check_package(members)
    names = {member.filename for member in members}
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return "docx"
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "xlsx"
    return kind


def _has_vba_project(upload: UploadedFile) -> bool:
    """An old .doc/.xls holds its macros under a "_VBA_PROJECT" storage or stream, named in UTF-16."""
    upload.seek(0)
    try:
        data = upload.read()
    finally:
        upload.seek(0)
    return "_VBA_PROJECT".encode("utf-16-le") in data  # Word: Macros/VBA/_VBA_PROJECT; Excel: _VBA_PROJECT_CUR


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Return the checked file, or raise a ValidationError that tells the user what to do, in Vietnamese."""
    name = clean_name(upload.name or "")
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("Tệp “%(name)s” nặng %(size)s, vượt giới hạn %(limit)s cho mỗi tệp. Hãy nén hoặc chia nhỏ tệp."),
            code="too_big",
            params={"name": name, "size": human_size(upload.size), "limit": human_size(limit)},
        )
    if upload.size == 0:
        raise ValidationError(_("Tệp “%(name)s” trống."), code="empty", params={"name": name})
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in ALLOWED:
        raise ValidationError(
            _("Tệp “%(name)s” không được nhận: chỉ nhận PDF, Word (.doc, .docx), Excel (.xls, .xlsx) và ảnh JPG, PNG."),
            code="type",
            params={"name": name},
        )
    expected, content_type = ALLOWED[extension]
    try:
        actual = content_kind(upload)
    except UnsafeFile as unsafe:
        if unsafe.code == "macro":
            message = _(
                "Tệp “%(name)s” có chứa macro nên không được nhận. Hãy lưu lại dưới dạng .docx, .xlsx thường hoặc PDF."
            )
        else:
            message = _("Tệp “%(name)s” giải nén ra quá lớn, có thể là tệp độc hại nên bị từ chối.")
        raise ValidationError(message, code=unsafe.code, params={"name": name}) from None
    if actual is None:
        raise ValidationError(
            _(
                "Tệp “%(name)s” có đuôi .%(ext)s nhưng nội dung không phải %(kind)s (tệp hỏng hoặc tệp chương trình). Hãy chọn đúng tệp."
            ),
            code="content",
            params={"name": name, "ext": extension, "kind": KIND_NAMES[expected]},
        )
    if actual != expected:
        raise ValidationError(
            _(
                "Tệp “%(name)s” có đuôi .%(ext)s nhưng nội dung là %(actual)s. Hãy đổi tên tệp cho đúng loại hoặc chọn tệp khác."
            ),
            code="mismatch",
            params={"name": name, "ext": extension, "actual": KIND_NAMES[actual]},
        )
    return CheckedFile(upload=upload, name=name, content_type=content_type)
