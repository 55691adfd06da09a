"""Import an indicator appendix (Bình Định shape): indicators, per-category targets, monitoring and implementing units.

Reading the table is ``plans.tables.parse_indicator_table``; this module resolves names, reads values, and writes
everything in one transaction. A target written inside a sentence is kept as text and flagged for a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency, AgencyGroup
from agencies.resolver import Resolved, Resolver
from core.text import fold
from indicators.models import Direction, IndexKind, Indicator, IndicatorParty, PartyRole, Target, TargetScope
from plans.models import Document
from plans.tables import IndicatorItem, IndicatorTable, RowMessage

_NUMBER = re.compile(r"(\d+(?:[.,]\d+)?)")


def parse_value(text: str) -> Decimal | None:
    """Read "90", "60%", "87,5" as a number; anything else (a sentence, "-") gives None."""
    cleaned = text.strip().rstrip("%").strip()
    if not cleaned or not _NUMBER.fullmatch(cleaned):
        return None
    try:
        return Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        return None


def guess_direction(name: str) -> Direction:
    folded = fold(name)
    if any(word in folded for word in ("khong qua", "toi da", "giam xuong", "duoi muc")):
        return Direction.AT_MOST
    if any(word in folded for word in ("cai thien", "tang hang", "tiep tuc tang")):
        return Direction.IMPROVE
    return Direction.AT_LEAST


_INDEX_WORDS = (
    (IndexKind.PAR, re.compile(r"\bpar[\s-]*index\b|chi so cai cach hanh chinh")),
    (IndexKind.SIPAS, re.compile(r"\bsipas\b")),
    (IndexKind.PAPI, re.compile(r"\bpapi\b")),
    (IndexKind.PCI, re.compile(r"\bpci\b")),
)


def guess_index(name: str) -> str:
    """Return the national index an indicator is the result of ("Chỉ số CCHC (PAR Index)…" → PAR), or "".

    A name that mentions several indexes is left unlinked: a person decides.
    """
    folded = fold(name)
    found = [kind for kind, pattern in _INDEX_WORDS if pattern.search(folded)]
    return found[0] if len(found) == 1 else ""


def guess_cumulative(name: str, unit: str) -> bool:
    """Return True for values that grow through the period: disbursement rates, numbers of units reached."""
    folded = fold(name)
    return "giai ngan" in folded or (folded.startswith("so ") and unit.strip() != "%" and fold(unit) != "diem")


@dataclass
class PreviewTarget:
    row: int
    applies_to_text: str
    applies_to: list[Resolved]
    value_text: str
    value: Decimal | None
    unit: str
    year: int | None = None  # None: the document's year

    @property
    def applies_to_names(self) -> list[str]:
        return [r.canonical_name for r in self.applies_to] or [self.applies_to_text or _("Toàn tỉnh")]


@dataclass
class PreviewIndicator:
    row: int
    number: str
    name: str
    unit: str
    target_text: str
    direction: Direction
    monitoring_text: str
    implementing_text: str
    monitoring: list[Resolved]
    implementing: list[Resolved]
    targets: list[PreviewTarget]
    target_in_text: bool = False
    warnings: list[str] = field(default_factory=list)
    index: str = ""
    cumulative: bool = False


@dataclass
class IndicatorImportPreview:
    document: Document
    indicators: list[PreviewIndicator]
    errors: list[RowMessage]
    warnings: list[RowMessage]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict:
        return {
            "document": self.document.display_number,
            "indicators": [
                {
                    "row": i.row,
                    "number": i.number,
                    "name": i.name,
                    "unit": i.unit,
                    "target": i.target_text,
                    "target_in_text": i.target_in_text,
                    "targets": [
                        {
                            "applies_to": ", ".join(t.applies_to_names),
                            "value": t.value_text,
                            **({"year": t.year} if t.year else {}),
                        }
                        for t in i.targets
                    ],
                    "monitoring": [r.canonical_name for r in i.monitoring],
                    "implementing": [r.canonical_name for r in i.implementing],
                    "warnings": i.warnings,
                }
                for i in self.indicators
            ],
            "errors": [m.message for m in self.errors],
            "warnings": [m.message for m in self.warnings],
        }


def _same_as_parent(text: str) -> bool:
    return text.strip() in ("", "-", "–")


def _unknown_unit_warnings(row: int, resolved: list[Resolved]) -> list[str]:
    """One warning per unresolved unit of a row, in cell order (duplicates kept)."""
    return [
        _("Hàng %(row)s: chưa xác định được cơ quan '%(name)s'.") % {"row": row, "name": r.text}
        for r in resolved
        if not r.known
    ]


def _subrow_targets(
    item: IndicatorItem, implementing: list[Resolved], resolver: Resolver, item_warnings: list[str]
) -> list[PreviewTarget]:
    """The targets of an item's sub-rows; a value that is not a number adds a warning to ``item_warnings``."""
    targets: list[PreviewTarget] = []
    for sub in item.subrows:
        own = getattr(sub, "implementing", "")
        applies = resolver.resolve_cell(sub.applies_to)
        if not (len(applies) == 1 and applies[0].known):
            applies = resolver.resolve_cell(own) if not _same_as_parent(own) else implementing
        value = parse_value(sub.value)
        if value is None and sub.value.strip():
            item_warnings.append(
                _("Hàng %(row)s: giá trị '%(value)s' không phải là số.") % {"row": sub.row, "value": sub.value}
            )
        targets.append(
            PreviewTarget(
                sub.row,
                sub.applies_to,
                [r for r in applies if r.known],
                sub.value,
                value,
                sub.unit or item.unit,
                sub.year,
            )
        )
    return targets


def _preview_indicator(item: IndicatorItem, resolver: Resolver, warnings: list[RowMessage]) -> PreviewIndicator:
    """Resolve one table item into a preview indicator; table-level warnings are appended to ``warnings``."""
    monitoring = resolver.resolve_cell(item.monitoring)
    implementing = resolver.resolve_cell(item.implementing)
    item_warnings = list(item.warnings)
    item_warnings.extend(_unknown_unit_warnings(item.row, [*monitoring, *implementing]))
    targets = _subrow_targets(item, implementing, resolver, item_warnings)
    if not item.subrows and (item.target or item.target_in_text):
        value = parse_value(item.target)
        targets.append(
            PreviewTarget(item.row, "", [r for r in implementing if r.known], item.target, value, item.unit, item.year)
        )
    for text in {r.text for r in (*monitoring, *implementing) if not r.known}:
        warnings.append(
            RowMessage(
                item.row,
                _("Hàng %(row)s: chưa xác định được cơ quan '%(name)s'.") % {"row": item.row, "name": text},
            )
        )
    return PreviewIndicator(
        row=item.row,
        number=item.number,
        name=item.name,
        unit=item.unit,
        target_text=item.target,
        direction=guess_direction(item.name),
        monitoring_text=item.monitoring,
        implementing_text=item.implementing,
        monitoring=monitoring,
        implementing=implementing,
        targets=targets,
        target_in_text=item.target_in_text,
        warnings=item_warnings,
        index=guess_index(item.name),
        cumulative=guess_cumulative(item.name, item.unit),
    )


def build_preview(
    document: Document, table: IndicatorTable, *, resolver: Resolver | None = None
) -> IndicatorImportPreview:
    """Resolve every unit and read every value; nothing is written."""
    resolver = resolver or Resolver.for_document(document)
    warnings = list(table.warnings)
    indicators = [_preview_indicator(item, resolver, warnings) for item in table.items]
    return IndicatorImportPreview(document, indicators, list(table.errors), warnings)


@transaction.atomic
def apply_preview(preview: IndicatorImportPreview) -> int:
    """Write the indicators, replacing those the document had (an indicator with measurements is kept and updated).

    Targets are updated in place, matched by whom they apply to and the text as written, so the values agencies
    reported against them keep their target; a target line that disappeared is deleted unless values were
    reported against it. The index link and the "cumulative" flag are guesses set only where a person has not
    set them (index) or on a new indicator (cumulative).
    Return the number of indicators written. Raises ValueError (nothing written) when the preview has errors.
    """
    if preview.errors:
        raise ValueError(_("Bảng còn lỗi, chưa thể ghi."))
    document = preview.document
    year = document.year
    existing = {(i.number, fold(i.name)): i for i in document.indicators.all()}
    written = 0
    for order, pi in enumerate(preview.indicators):
        indicator = _save_indicator(document, existing, pi, order)
        indicator.parties.all().delete()
        old_targets = _old_targets(indicator)
        _create_parties(indicator, pi)
        _save_targets(indicator, pi, old_targets, year)
        gone = [t.pk for targets in old_targets.values() for t in targets]
        if gone:
            Target.objects.filter(pk__in=gone, measurements__isnull=True).delete()
        written += 1
    _delete_leftovers(existing.values())
    return written


def _save_indicator(
    document: Document, existing: dict[tuple, Indicator], pi: PreviewIndicator, order: int
) -> Indicator:
    """Save the indicator matching ``pi`` (taken out of ``existing``, or new) with the preview's fields."""
    indicator = existing.pop((pi.number, fold(pi.name)), None) or Indicator(document=document, cumulative=pi.cumulative)
    indicator.number, indicator.name, indicator.unit, indicator.order = pi.number, pi.name, pi.unit, order
    indicator.target_text, indicator.direction = pi.target_text[:255], pi.direction
    indicator.monitoring_text, indicator.implementing_text = pi.monitoring_text, pi.implementing_text
    indicator.target_in_text, indicator.source_row = pi.target_in_text, pi.row
    indicator.index = indicator.index or pi.index
    indicator.save()
    return indicator


def _old_targets(indicator: Indicator) -> dict[tuple, list[Target]]:
    """The indicator's current targets, grouped by their match key."""
    old_targets: dict[tuple, list[Target]] = {}
    for target in indicator.targets.all():
        key = _target_key(target.agency_id, target.group_id, target.applies_to_text, target.year)
        old_targets.setdefault(key, []).append(target)
    return old_targets


def _create_parties(indicator: Indicator, pi: PreviewIndicator) -> None:
    """Create the monitoring and implementing units resolved in the preview."""
    parties = [
        IndicatorParty(indicator=indicator, role=role, agency=r.agency, group=r.group)
        for role, resolved in ((PartyRole.MONITORING, pi.monitoring), (PartyRole.IMPLEMENTING, pi.implementing))
        for r in resolved
        if r.known
    ]
    IndicatorParty.objects.bulk_create(parties)


def _save_targets(
    indicator: Indicator, pi: PreviewIndicator, old_targets: dict[tuple, list[Target]], year: int
) -> None:
    """Save the preview's targets, reusing (and taking out of ``old_targets``) those that match."""
    for pt in pi.targets:
        for scope, agency, group in _scopes(pt.applies_to):
            key = _target_key(
                agency.pk if agency else None,
                group.pk if group else None,
                pt.applies_to_text[:255],
                pt.year or year,
            )
            same = old_targets.get(key)
            target = same.pop(0) if same else Target(indicator=indicator)
            target.scope, target.agency, target.group = scope, agency, group
            target.applies_to_text, target.year, target.value = pt.applies_to_text[:255], pt.year or year, pt.value
            target.value_text, target.unit, target.direction, target.source_row = (
                pt.value_text[:100],
                pt.unit,
                pi.direction,
                pt.row,
            )
            target.save()


def _delete_leftovers(leftovers: Iterable[Indicator]) -> None:
    """Delete the document's indicators absent from the preview, unless they have measurements."""
    for leftover in leftovers:
        if not leftover.measurements.exists():
            leftover.targets.all().delete()
            leftover.parties.all().delete()
            leftover.delete()


def _target_key(agency_id: int | None, group_id: int | None, applies_to_text: str, year: int) -> tuple:
    return (agency_id, group_id, fold(applies_to_text), year)


def _scopes(applies_to: list[Resolved]) -> list[tuple[str, Agency | None, AgencyGroup | None]]:
    """One target per resolved agency or group; none resolved means the province as a whole."""
    if not applies_to:
        return [(TargetScope.PROVINCE, None, None)]
    return [
        (TargetScope.AGENCY, r.agency, None) if r.agency else (TargetScope.GROUP, None, r.group) for r in applies_to
    ]
