"""Recognise an uploaded file by its content, refuse unsafe ones, read its table."""

from __future__ import annotations

import io
import zipfile

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .calamine import read_spreadsheet
from .model import (
    MAX_UNCOMPRESSED_BYTES,
    MAX_UPLOAD_BYTES,
    MAX_ZIP_MEMBERS,
    SourceRow,
    TableError,
)
from .pasted import read_pasted
from .sizes import ole_names
from .word import read_docx

NOT_OFFICE = "Tệp không phải là bảng tính Excel (.xlsx, .xls), OpenDocument (.ods) hoặc tài liệu Word (.docx) hợp lệ."
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")

_XLSX_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
}
_DOCX_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
}
_MACRO_TYPES = {
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    "application/vnd.ms-office.vbaProject",
}


def read_table(data: bytes, filename: str = "") -> list[SourceRow]:
    """Return the rows of the table in an .xlsx, .xls, .ods or .docx file (or tab-separated text).

    The format is recognised from the content, never from ``filename``
    (kept for the caller's logs). Refused with a TableError, before any XML
    is parsed: empty or oversized files, old or encrypted Office files,
    macro-enabled files, zip bombs and anything that is not OOXML.
    """
    if not data:
        raise TableError("Tệp rỗng, không có dữ liệu.", "empty")
    if len(data) > MAX_UPLOAD_BYTES:
        size = f"{len(data) / 1024 / 1024:.1f}".replace(".", ",")
        limit = MAX_UPLOAD_BYTES // 1024 // 1024
        raise TableError(f"Tệp quá lớn ({size} MB); chỉ nhận tệp đến {limit} MB.", "too_big")
    if data.startswith(OLE2_SIGNATURE):
        if _is_xls(data):
            return read_spreadsheet(data, ".xls")
        raise _ole2_error(data)
    if data.startswith(ZIP_SIGNATURES):
        return _read_ooxml(data)
    text = _as_text(data)
    # An HTML page saved as ".xls" by some systems is text too, but no table we can trust.
    if text is not None and "\t" in text and not text.lstrip().startswith("<"):
        return read_pasted(text)
    raise TableError(NOT_OFFICE, "not_office")


def _is_xls(data: bytes) -> bool:
    """An old Excel workbook (BIFF in OLE2), not encrypted OOXML nor a Word document."""
    names = ole_names(data)
    if names is not None:  # the directory read: no search through the whole file
        return bool(names & {"Workbook", "Book"}) and not names & {"EncryptionInfo", "WordDocument"}
    if "EncryptionInfo".encode("utf-16-le") in data or "WordDocument".encode("utf-16-le") in data:
        return False
    return "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data


def _ole2_error(data: bytes) -> TableError:
    """Tell an encrypted OOXML file from an old binary .xls/.doc (both are OLE2)."""
    if "EncryptionInfo".encode("utf-16-le") in data:
        return TableError(
            "Tệp được đặt mật khẩu (mã hóa) nên không đọc được. Hãy mở tệp, gỡ mật khẩu rồi tải lên lại.",
            "encrypted",
        )
    if "WordDocument".encode("utf-16-le") in data:
        kind = ".doc"
    elif "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        kind = ".xls"
    else:
        kind = ".xls/.doc"
    target = {".doc": ".docx", ".xls": ".xlsx"}.get(kind, ".xlsx/.docx")
    return TableError(
        f"Định dạng {kind} cũ không được hỗ trợ, hãy mở tệp và lưu lại dưới dạng {target}.",
        "legacy",
    )


def _read_ooxml(data: bytes) -> list[SourceRow]:
    """Check the zip package, then read it as a workbook or a document."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise TableError(NOT_OFFICE, "not_office") from exc
    with archive:
        _check_members(members)
        kind = _package_kind(archive)
        if kind in ("xlsx", "ods"):
            return read_spreadsheet(data, f".{kind}", archive)
        return read_docx(data)


def _check_members(members: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip bomb: trust no parser with more than the declared budget.

    zipfile stops a member at its declared size, so the sum of declared
    sizes bounds what any reader can inflate.
    """
    if len(members) > MAX_ZIP_MEMBERS:
        raise TableError(NOT_OFFICE, "zip_bomb")
    declared = sum(member.file_size for member in members)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise TableError(
            f"Tệp giải nén ra quá lớn ({declared // 1024 // 1024} MB, giới hạn "
            f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB), có thể là tệp độc hại nên bị từ chối.",
            "zip_bomb",
        )
    if any(member.filename.lower().endswith("vbaproject.bin") for member in members):
        raise _macro_error()


def _package_kind(archive: zipfile.ZipFile) -> str:
    """Return "xlsx" or "docx" from [Content_Types].xml; refuse anything else."""
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names and "mimetype" in names:  # OpenDocument
        if archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.spreadsheet":
            return "ods"
        raise TableError(NOT_OFFICE, "not_office")
    try:
        content_types = fromstring(archive.read("[Content_Types].xml"))
    except DefusedXmlException as exc:
        raise TableError("Tệp chứa cấu trúc XML không an toàn nên bị từ chối.", "unsafe_xml") from exc
    except Exception as exc:  # missing member, bad CRC, malformed XML: not OOXML
        raise TableError(NOT_OFFICE, "not_office") from exc
    types = {node.get("ContentType", "") for node in content_types.iter() if node.get("ContentType")}
    if types & _MACRO_TYPES:
        raise _macro_error()
    if types & _XLSX_TYPES:
        return "xlsx"
    if types & _DOCX_TYPES:
        return "docx"
    raise TableError(NOT_OFFICE, "not_office")


def _macro_error() -> TableError:
    return TableError(
        "Tệp có chứa macro (.xlsm/.docm) nên không được nhận. Hãy lưu lại dưới dạng .xlsx hoặc .docx.",
        "macro",
    )


def _as_text(data: bytes) -> str | None:
    """Return ``data`` as text if it is UTF-8 or UTF-16 text (a saved .tsv)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    return text
