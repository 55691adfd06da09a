"""The six CCHC contents of Resolution 76/NQ-CP, plus direction and communication, and how a section title maps to one."""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import fold


class CchcArea(models.TextChoices):
    DIRECTION = "direction", _("Chỉ đạo, điều hành")
    INSTITUTIONS = "institutions", _("Cải cách thể chế")
    PROCEDURES = "procedures", _("Cải cách thủ tục hành chính")
    APPARATUS = "apparatus", _("Cải cách tổ chức bộ máy")
    CIVIL_SERVICE = "civil_service", _("Cải cách chế độ công vụ")
    PUBLIC_FINANCE = "public_finance", _("Cải cách tài chính công")
    DIGITAL_GOVERNMENT = "digital_government", _("Chính phủ điện tử, chính phủ số")
    COMMUNICATION = "communication", _("Tuyên truyền")
    OTHER = "other", _("Khác")


# Checked in order: "cải cách thủ tục hành chính" must win over a bare "hành chính".
_RULES: list[tuple[re.Pattern[str], CchcArea]] = [
    (re.compile(r"chi dao|dieu hanh"), CchcArea.DIRECTION),
    (re.compile(r"the che"), CchcArea.INSTITUTIONS),
    (re.compile(r"thu tuc hanh chinh|\btthc\b|kiem soat thu tuc"), CchcArea.PROCEDURES),
    (re.compile(r"to chuc bo may|bo may"), CchcArea.APPARATUS),
    (re.compile(r"cong vu|cong chuc|vien chuc"), CchcArea.CIVIL_SERVICE),
    (re.compile(r"tai chinh cong|tai chinh"), CchcArea.PUBLIC_FINANCE),
    (
        re.compile(r"chinh phu dien tu|chinh phu so|chinh quyen dien tu|chinh quyen so|chuyen doi so|\bso hoa"),
        CchcArea.DIGITAL_GOVERNMENT,
    ),
    (re.compile(r"tuyen truyen|truyen thong"), CchcArea.COMMUNICATION),
]


def area_for_title(title: str) -> CchcArea:
    """Return the CCHC area a section title belongs to, or OTHER."""
    folded = fold(title)
    for pattern, area in _RULES:
        if pattern.search(folded):
            return area
    return CchcArea.OTHER
