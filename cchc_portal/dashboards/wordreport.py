"""The periodic CCHC report as a Word document: a docxtpl template filled with the report's texts.

The layout is a .docx file, not code: the default one (``DEFAULT_TEMPLATE``, made once by
``manage.py build_report_template`` and edited in Word since) follows Nghị định 30/2020/NĐ-CP and the outline of a
periodic CCHC report; a province administrator may upload the province's own in the admin
(``ProvinceReportSettings.template``), checked by ``check_template`` before it is kept.

The template sees plain texts and lists (``report_context``), never models: what a person may write in it is what
``PLACEHOLDERS`` lists. It is rendered in Jinja's sandbox with autoescape (a template is uploaded by a person, and
the report quotes what agencies typed) and with undefined names as errors.

Placeholders:

- ``co_quan_chu_quan``, ``co_quan_ban_hanh``, ``so_ky_hieu``, ``dia_danh_ngay``, ``trich_yeu``, ``kinh_gui``,
  ``mo_dau``, ``so_lieu_den_ngay``, ``tong_hop``, ``ket_thuc``, ``ten_tinh``, ``ky_bao_cao``: texts;
- ``chi_dao`` (I), ``ket_qua`` (II, the six CCHC areas), ``han_che`` (III), ``nhiem_vu_ky_toi`` (IV): lists of
  parts, each with ``tieu_de``, ``tom_tat`` and ``dong`` (lines); ``chi_dao_trong``, ``ket_qua_trong``,
  ``han_che_trong``, ``nhiem_vu_ky_toi_trong``: what is said once when a part is empty or partly empty ("" if not);
- ``noi_nhan``: lines; ``nguoi_ky``: ``quyen_han``, ``chuc_vu``, ``ho_ten``;
- ``phu_luc``: ``tieu_de``, ``kem_theo``, ``so_lieu_den_ngay`` and ``dong``: the appendix lines, each with ``nhom``
  (true for a document or section band), ``stt``, ``ten``, ``chu_tri``, ``phoi_hop``, ``thoi_han``, ``tinh_trang``,
  ``tien_do``, ``ket_qua``, ``kiem_chung``.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DEFAULT_TEMPLATE = Path(__file__).resolve().parent.parent / "reports" / "templates_docx" / "bao-cao-dinh-ky.docx"
PLACEHOLDERS = frozenset(
    {
        "co_quan_chu_quan",
        "co_quan_ban_hanh",
        "so_ky_hieu",
        "dia_danh_ngay",
        "trich_yeu",
        "kinh_gui",
        "mo_dau",
        "so_lieu_den_ngay",
        "tong_hop",
        "ket_thuc",
        "ten_tinh",
        "ky_bao_cao",
        "chi_dao",
        "chi_dao_trong",
        "ket_qua",
        "ket_qua_trong",
        "han_che",
        "han_che_trong",
        "nhiem_vu_ky_toi",
        "nhiem_vu_ky_toi_trong",
        "noi_nhan",
        "nguoi_ky",
        "phu_luc",
    }
)
PIECE_CHARS = 256 * 1024  # a piece of the body rendered, rewritten and compressed at a time
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML (and \a, \f mean breaks to docxtpl)


def clean(text) -> str:
    """Return ``text`` as a string XML can hold."""
    return _ILLEGAL.sub("", "" if text is None else str(text))


def _environment():
    """Jinja's sandbox (no attribute of Python objects beyond data), autoescaped, unknown names as errors."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def render(template: bytes | Path, context: dict) -> bytes:
    """Return the .docx ``template`` filled with ``context``.

    docxtpl renders a template by building the whole filled body as one string and then as an XML tree: 120 MiB
    for an appendix of 4,000 tasks. Here the body is rendered the same way (docxtpl's own tag rewriting, Jinja, its
    line breaks and tabs) but streamed: Jinja generates the body piece by piece and each piece goes, compressed,
    straight into the .docx, so memory stays the same whatever the number of appendix lines. The headers, footers
    and properties are small and rendered by docxtpl as usual. A template using the two docxtpl features that need
    the whole tree (cells in loops ``{%tc``, pictures) is rendered by docxtpl whole.
    """
    from docxtpl import DocxTemplate

    document = DocxTemplate(io.BytesIO(template) if isinstance(template, bytes) else template)
    document.render_init()
    environment = _environment()
    body = document.patch_xml(document.xml_to_string(document.docx._element.body))
    if "{%tc " in body or "docPr" in body:
        document.render(context, jinja_env=environment)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
    for uri in (document.HEADER_URI, document.FOOTER_URI):
        for key, xml in list(document.build_headers_footers_xml(context, uri, environment)):
            document.map_headers_footers_xml(key, xml)
    document.render_properties(context, environment)
    document.render_footnotes(context, environment)
    compiled = environment.from_string(re.sub(r"<w:p([ >])", r"\n<w:p\1", body))
    root = document.docx._element
    for child in list(root.body):
        root.body.remove(child)
    shell = io.BytesIO()
    document.docx.save(shell)
    return _assemble(shell, document.docx.part.partname.lstrip("/"), _pieces(document, compiled.generate(context)))


def _pieces(document, generated) -> Iterator[bytes]:
    """Turn Jinja's output into the body's bytes, as docxtpl finishes a part, a few paragraphs at a time: each
    piece is cut after a paragraph's end, so that docxtpl's per-paragraph rewriting sees whole paragraphs."""
    pending = []
    size = 0
    for chunk in generated:
        pending.append(chunk)
        size += len(chunk)
        if size < PIECE_CHARS:
            continue
        text = "".join(pending)
        cut = text.rfind("</w:p>")
        if cut < 0:
            pending, size = [text], len(text)
            continue
        cut += len("</w:p>")
        yield _finish(document, text[:cut])
        pending, size = [text[cut:]], len(text) - cut
    yield _finish(document, "".join(pending))


def _finish(document, text: str) -> bytes:
    """What docxtpl's ``render_xml_part`` does to a rendered part, on a piece of it."""
    text = re.sub(r"\n<w:p([ >])", r"<w:p\1", text)
    text = text.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    if any(mark in text for mark in "\n\t\a\f"):  # docxtpl's line breaks, tabs, new paragraphs and pages
        text = document.resolve_listing(text)
    return text.encode("utf-8")


def _assemble(shell: io.BytesIO, part_name: str, body: Iterator[bytes]) -> bytes:
    """Copy the rendered package ``shell`` (its body left empty) into a new .docx, streaming ``body`` into it."""
    output = io.BytesIO()
    with zipfile.ZipFile(shell) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename != part_name:
                target.writestr(info.filename, content)
                continue
            before, empty, after = content.partition(b"<w:body/>")
            if not empty:
                raise ValueError("the main part has no empty body")
            with target.open(part_name, "w") as stream:
                stream.write(before)
                for piece in body:
                    stream.write(piece)
                stream.write(after)
    return output.getvalue()


def render_report(context: dict, template: bytes | None) -> bytes:
    """Render the province's template, or the default one without it. A province's template that no longer renders
    (it was checked when uploaded; the context may have changed since) gives way to the default, and is logged."""
    if template:
        try:
            return render(template, context)
        except Exception:  # noqa: BLE001 - whatever the template does wrong, the report is still produced
            logger.warning("The province's report template failed; the default one is used.", exc_info=True)
    return render(DEFAULT_TEMPLATE, context)


# --- checking an uploaded template --------------------------------------------------------------------------


def check_template(content: bytes, contexts: list[dict]) -> None:
    """Refuse a template that is not a .docx, names an unknown placeholder, or does not render with ``contexts``;
    the message says which problem, in Vietnamese."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    try:
        unknown = DocxTemplate(io.BytesIO(content)).get_undeclared_template_variables(_environment()) - PLACEHOLDERS
    except TemplateSyntaxError as error:
        raise ValidationError(_syntax_message(error)) from None
    except Exception:  # noqa: BLE001 - a broken zip, a missing part: not a Word document
        raise ValidationError(_("Tệp không phải là tài liệu Word (.docx) hợp lệ.")) from None
    if unknown:
        raise ValidationError(
            _("Mẫu dùng biến không có trong báo cáo: %(names)s. Các biến được dùng: %(known)s.")
            % {
                "names": ", ".join(f"{{{{ {name} }}}}" for name in sorted(unknown)),
                "known": ", ".join(sorted(PLACEHOLDERS)),
            }
        )
    for context in contexts:
        try:
            render(content, context)
        except TemplateSyntaxError as error:
            raise ValidationError(_syntax_message(error)) from None
        except UndefinedError as error:
            raise ValidationError(_undefined_message(error)) from None
        except SecurityError:
            raise ValidationError(_("Mẫu dùng lệnh không được phép trong mẫu báo cáo.")) from None
        except Exception as error:  # noqa: BLE001 - any other failure of the template: said, not a 500
            raise ValidationError(
                _("Không tạo được báo cáo từ mẫu này (%(kind)s). Hãy sửa lại từ mẫu mặc định.")
                % {"kind": error.__class__.__name__}
            ) from None


def _syntax_message(error) -> str:
    return _("Mẫu có lỗi cú pháp ở đoạn thứ %(line)s: kiểm tra các cặp {{ }} và {%% %%}.") % {
        "line": error.lineno or "?"
    }


def _undefined_message(error) -> str:
    """Name the missing placeholder or field Jinja reports ("'x' is undefined", "… has no attribute 'y'")."""
    found = re.findall(r"'([^']+)'", str(error))
    name = found[-1] if found else "?"
    return _("Mẫu dùng biến hoặc trường không có trong báo cáo: “%(name)s”.") % {"name": name}
