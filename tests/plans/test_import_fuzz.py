"""Importers fed mutated workbooks never answer 500 and never write part of a file (hypothesis)."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from agencies.models import User
from cchc_portal.documents.services import table_from_json
from plans.models import Document, ImportJob
from tasks.models import Task

SOURCE = (Path(settings.BASE_DIR) / "fixtures" / "demo" / "kh-275-phu-luc.xlsx").read_bytes()
counter = itertools.count()

pytestmark = pytest.mark.django_db

nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "=SUM(A1:A9)",
            "+84",
            "-",
            "@x",
            "I",
            "II",
            "1",
            "1.1",
            "",
            "Quý V/2024",
            "31/02/2024",
            "Các sở, ban, ngành;;;",
            "\x00",
            "😀" * 10,
            "A" * 3000,
            "Stt",
            "Thời gian thực hiện",
        ]
    ),
)


def mutate_cells(edits: list[tuple[int, int, str]], deleted_rows: list[int]) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(SOURCE))
    sheet = workbook.active
    for row, column, value in edits:
        try:
            sheet.cell(row=row, column=column).value = value
        except (ValueError, AttributeError, TypeError, IllegalCharacterError):  # control characters, merged cells
            continue
    for row in sorted(set(deleted_rows), reverse=True):
        sheet.delete_rows(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def flip_bytes(flips: list[tuple[int, int]]) -> bytes:
    raw = bytearray(SOURCE)
    for position, value in flips:
        raw[position % len(raw)] = value
    return bytes(raw)


workbooks = st.one_of(
    st.builds(
        mutate_cells,
        st.lists(st.tuples(st.integers(1, 90), st.integers(1, 7), nasty_text), max_size=12),
        st.lists(st.integers(1, 80), max_size=6),
    ),
    st.builds(
        flip_bytes, st.lists(st.tuples(st.integers(0, len(SOURCE)), st.integers(0, 255)), min_size=1, max_size=8)
    ),
    st.builds(lambda n: SOURCE[:n], st.integers(0, len(SOURCE) - 1)),
)


@hsettings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=workbooks)
def test_mutated_workbooks_never_crash_and_never_write_part(client, demo, data):
    """Each example uploads and confirms a whole appendix: a handful of examples already costs ~30 s."""
    client.force_login(User.objects.get(username="sonoivu"))
    document = Document.objects.create(
        province=demo.province, number=f"F{next(counter)}/KH-UBND", title="Fuzz", year=2024
    )
    response = client.post(
        reverse("plans:import_start", args=[document.pk]),
        {"kind": "tasks", "file": SimpleUploadedFile("f.xlsx", data)},
        follow=True,
    )
    assert response.status_code == 200
    job = ImportJob.objects.filter(document=document).first()
    if job is None:  # refused by the form itself (an empty file): the page says why
        assert response.context["form"].errors
        assert not Task.objects.filter(document=document).exists()
        return
    if job.state == ImportJob.State.FAILED:
        assert job.error.strip()
        assert not Task.objects.filter(document=document).exists()
        return
    assert job.state == ImportJob.State.READY
    expected = sum(1 for item in table_from_json(job.kind, job.table).items if item.kind == "task")
    response = client.post(reverse("plans:import_confirm", args=[job.pk]), follow=True)
    assert response.status_code == 200
    job.refresh_from_db()
    written = Task.objects.filter(document=document).count()
    if job.state == ImportJob.State.DONE:
        assert written == expected
    else:
        assert job.state == ImportJob.State.FAILED and job.error.strip() and written == 0
