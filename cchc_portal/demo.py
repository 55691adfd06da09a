"""Load the demo data: the agencies of three provinces and the four seed documents, through the real importers.

Idempotent: agencies, groups and documents are matched by their keys, tasks by section and number, so running
it again changes nothing. Appendix tables come from the .xlsx files in fixtures/demo, read by the same code an
admin's upload goes through; documents without a table (letters in prose) list their tasks in documents.json.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from agencies.directory import DirectoryReport, load_directory
from agencies.models import Agency, AgencyGroup, Alias, Province, Role, User
from agencies.names import name_key
from agencies.resolver import Resolver
from agencies.roles import make_province_admin
from indicators import importing as indicator_import
from plans.models import Document, ReportingDuty
from plans.tables import (
    IndicatorItem,
    IndicatorSubRow,
    IndicatorTable,
    TableItem,
    TaskTable,
    parse_indicator_table,
    parse_task_table,
    read_table,
)
from tasks import importing as task_import

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "demo"
DEMO_PASSWORD = "demo12345"  # noqa: S105 - documented demo accounts, created only in demo mode


@dataclass
class DemoReport:
    provinces: int = 0
    agencies: int = 0
    groups: int = 0
    aliases: int = 0
    documents: int = 0
    tasks: int = 0
    indicators: int = 0
    users: list[str] = field(default_factory=list)
    directory: DirectoryReport | None = None


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _take_over(model, province: Province, row: dict) -> None:
    """A directory loaded first (load_directory) may already hold the unit under its own code: take it over."""
    same = model.objects.filter(province=province, name=row["name"]).exclude(code=row["key"]).first()
    if same is not None and not model.objects.filter(code=row["key"]).exists():
        model.objects.filter(pk=same.pk).update(code=row["key"])


def load_agencies(data: dict, report: DemoReport) -> None:
    provinces = _load_provinces(data, report)
    agencies = _load_agency_rows(data, provinces, report)
    _load_groups_and_aliases(data, provinces, agencies, report)


def _load_provinces(data: dict, report: DemoReport) -> dict[str, Province]:
    """Create or update the demo provinces, then link their successors; return them by code."""
    provinces = {}
    for row in data["provinces"]:
        province, _ = Province.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "valid_from": _date(row.get("valid_from")),
                "valid_to": _date(row.get("valid_to")),
            },
        )
        provinces[row["code"]] = province
    for row in data["provinces"]:
        if row.get("successor"):
            Province.objects.filter(code=row["code"]).update(successor=provinces[row["successor"]])
    report.provinces = len(provinces)
    return provinces


def _load_agency_rows(data: dict, provinces: dict[str, Province], report: DemoReport) -> dict[str, Agency]:
    """Create or update the demo agencies, then link parents and successors; return them by key."""
    agencies: dict[str, Agency] = {}
    for row in data["agencies"]:
        _take_over(Agency, provinces[row["province"]], row)
        agency, _ = Agency.objects.update_or_create(
            code=row["key"],
            defaults={
                "province": provinces[row["province"]],
                "name": row["name"],
                "short_name": row.get("short_name") or "",
                "kind": row["kind"],
                "level": row["level"],
                # The directory (loaded after) completes validity and successors: a blank here never erases them.
                **{k: _date(row.get(k)) for k in ("valid_from", "valid_to") if row.get(k)},
            },
        )
        agencies[row["key"]] = agency
    for row in data["agencies"]:  # second pass: references to agencies defined later in the file
        links = {k: agencies[row[k]] for k in ("parent", "successor") if row.get(k) in agencies}
        if links:
            Agency.objects.filter(pk=agencies[row["key"]].pk).update(**links)
    report.agencies = len(agencies)
    return agencies


def _load_groups_and_aliases(
    data: dict, provinces: dict[str, Province], agencies: dict[str, Agency], report: DemoReport
) -> None:
    """Create or update the demo agency groups and their members, then add the missing aliases."""
    # Aliases: the first writer of a key wins, in the fixture's order (groups first); one query to know
    # which keys exist, one bulk insert for the new ones.
    known = set(Alias.objects.values_list("province_id", "key"))
    new_aliases: list[Alias] = []

    def alias(province: Province, text: str, agency: Agency | None = None, group: AgencyGroup | None = None) -> None:
        key = name_key(text)
        if (province.pk, key) not in known:
            known.add((province.pk, key))
            new_aliases.append(Alias(province=province, text=text, key=key, agency=agency, group=group))

    for row in data["groups"]:
        _take_over(AgencyGroup, provinces[row["province"]], row)
        group, _ = AgencyGroup.objects.update_or_create(
            code=row["key"], defaults={"province": provinces[row["province"]], "name": row["name"], "kind": row["kind"]}
        )
        group.members.set([agencies[key] for key in row["members"]])
        report.groups += 1
        for text in row.get("aliases", []):
            alias(group.province, text, group=group)
    for row in data["agencies"]:
        agency = agencies[row["key"]]
        for text in row.get("aliases", []):
            alias(agency.province, text, agency=agency)
    Alias.objects.bulk_create(new_aliases)
    report.aliases = len(new_aliases)


def _document(row: dict, agencies: dict[str, Agency]) -> Document:
    province = Province.objects.get(code=row["province"])
    defaults = {
        "province": province,
        "doc_type": row["doc_type"],
        "purpose": row.get("purpose", "tasks"),
        "symbol": row.get("symbol", ""),
        "issuer": agencies.get(row.get("issuer") or ""),
        "issued_on": _date(row.get("issued_on")),
        "place": row.get("place", ""),
        "signer": row.get("signer", ""),
        "signer_title": row.get("signer_title", ""),
        "title": row["title"],
        "year": row["year"],
        "is_draft": row.get("is_draft", False),
        "legal_bases": "\n".join(row.get("legal_bases", [])),
        "recipients": "\n".join(row.get("recipients", [])),
        "notes": row.get("notes", ""),
    }
    if row.get("number"):
        document, _ = Document.objects.update_or_create(province=province, number=row["number"], defaults=defaults)
    else:  # drafts have no number: their title identifies them
        document, _ = Document.objects.update_or_create(
            province=province, number="", title=row["title"], defaults=defaults
        )
    return document


def _prose_table(row: dict) -> TaskTable:
    """Turn the tasks a letter gives in prose (documents.json) into the table shape the importer reads."""
    items: list[TableItem] = []
    line = 0
    for section in row.get("sections", []):
        line += 1
        items.append(TableItem(row=line, kind="section", number=section["number"], title=section["title"], level=1))
        for task in section["tasks"]:
            line += 1
            items.append(
                TableItem(
                    row=line,
                    kind="task",
                    number=task["number"],
                    title=task["title"],
                    lead=task.get("lead", ""),
                    cooperating=task.get("cooperating", ""),
                    deadline=task.get("deadline", ""),
                    output=task.get("output", ""),
                    note=task.get("note", ""),
                    level=0,
                    section_path=(section["number"],),
                )
            )
    return TaskTable(columns={}, header_rows=[], items=items, errors=[], warnings=[])


def _prose_indicators(row: dict) -> IndicatorTable:
    items = []
    for line, ind in enumerate(row.get("indicators", []), start=1):
        subrows = [
            IndicatorSubRow(
                row=line, applies_to=t.get("applies_to", ""), unit=ind.get("unit", ""), value=str(t.get("value", ""))
            )
            for t in ind.get("targets", [])
            if t.get("applies_to") not in ("", "Tỉnh", "Toàn tỉnh")
        ]
        target = "" if subrows else str((ind.get("targets") or [{}])[0].get("value", ind.get("target", "")))
        items.append(
            IndicatorItem(
                row=line,
                number=ind["number"],
                name=ind["name"],
                unit=ind.get("unit", ""),
                target=target,
                monitoring=ind.get("monitoring", ""),
                implementing=ind.get("implementing", ""),
                subrows=subrows,
            )
        )
    return IndicatorTable(columns={}, header_rows=[], items=items, sections=[], errors=[], warnings=[])


# The current provinces the demo needs (with their predecessors and the central level): what tests load.
DEMO_PROVINCES = ["dak-lak", "gia-lai", "tuyen-quang"]


@transaction.atomic
def load_demo(
    *, create_users: bool | None = None, country: bool = False, users_province: str | None = None
) -> DemoReport:
    """Load (or refresh) everything; demo users only when ``create_users`` or DEMO_MODE.

    The directory (agencies.directory) is loaded after the demo's own agencies, which it merges with by name; the
    whole country with ``country``, else only the demo's provinces (what tests need, in a fraction of the time).
    """
    report = DemoReport()
    load_agencies(json.loads((FIXTURES / "agencies.json").read_text(encoding="utf-8")), report)
    report.directory = load_directory(None if country else DEMO_PROVINCES)
    agencies = {a.code: a for a in Agency.objects.all()}
    documents = json.loads((FIXTURES / "documents.json").read_text(encoding="utf-8"))["documents"]
    for row in documents:
        document = _document(row, agencies)
        resolver = Resolver(document.province)
        report.documents += 1
        appendix = row.get("appendix")
        if appendix and appendix["kind"] == "tasks":
            table = parse_task_table(read_table((FIXTURES / appendix["file"]).read_bytes(), appendix["file"]))
            _apply_tasks(document, table, resolver, row)
        if appendix and appendix["kind"] == "indicators":
            table = parse_indicator_table(read_table((FIXTURES / appendix["file"]).read_bytes(), appendix["file"]))
            preview = indicator_import.build_preview(document, table, resolver=resolver)
            indicator_import.apply_preview(preview)
        if row.get("sections"):
            _apply_tasks(document, _prose_table(row), resolver, row)
        if row.get("indicators"):
            _apply_prose_indicators(document, row, resolver)
        _load_duties(document, row, resolver)
        inspected = [agencies[key] for key in row.get("inspected", []) if key in agencies]
        followers = [
            a
            for a in (resolver.resolve_name("Sở Nội vụ").agency, resolver.resolve_name("Văn phòng UBND tỉnh").agency)
            if a
        ]
        document.followed_by.set(followers)
        document.inspected.set(inspected)
        report.tasks += document.tasks.count()
        report.indicators += document.indicators.count()
    if create_users if create_users is not None else settings.DEMO_MODE:
        report.users = create_demo_users(users_province or DEMO_USERS_PROVINCE)
    return report


PROVINCE_WIDE = {"", "Tỉnh", "Toàn tỉnh"}


def _apply_prose_indicators(document: Document, row: dict, resolver: Resolver) -> None:
    """Targets a plan writes in its text (275's section II): province-wide unless the text names who."""
    preview = indicator_import.build_preview(document, _prose_indicators(row), resolver=resolver)
    for pi, ind in zip(preview.indicators, row["indicators"], strict=True):
        pi.direction = ind.get("direction") or pi.direction
        for pt, written in zip(pi.targets, ind.get("targets", []), strict=False):
            if written.get("applies_to", "") in PROVINCE_WIDE:
                pt.applies_to = []
        if not pi.targets:  # "tiếp tục cải thiện": a province target with no number to reach
            pi.targets.append(indicator_import.PreviewTarget(pi.row, "", [], ind.get("target", ""), None, pi.unit))
    indicator_import.apply_preview(preview)


def _load_duties(document: Document, row: dict, resolver: Resolver) -> None:
    """The periodic reports a document requires; reporters are the groups among its recipients."""
    reporters = [r.group for text in row.get("recipients", []) for r in resolver.resolve_cell(text) if r.group]
    for duty_row in row.get("periodic_reports", []):
        recipient = next((r.agency for r in resolver.resolve_cell(duty_row["to"]) if r.agency), None)
        if recipient is None:
            continue
        duty, _ = ReportingDuty.objects.update_or_create(
            document=document,
            frequency=duty_row["frequency"],
            defaults={"recipient": recipient, "text": duty_row.get("text", "")},
        )
        duty.reporters.set(reporters)


def _apply_tasks(document: Document, table: TaskTable, resolver: Resolver, row: dict) -> None:
    preview = task_import.build_preview(document, table, resolver=resolver)
    evidence_rows = {t["number"] for s in row.get("sections", []) for t in s["tasks"] if t.get("evidence_required")}
    for task in preview.tasks:
        task.evidence_required = task.evidence_required or task.number in evidence_rows
    task_import.apply_preview(preview, resolver=resolver)


DEMO_USERS = [
    # username, role, agency name as documents write it, full name. In DEMO_USERS_PROVINCE: Đắk Lắk's reviewers
    # see Phú Yên's documents, its Sở Tư pháp the tasks of Phú Yên's (lineage).
    ("sonoivu", Role.REVIEWER, "Sở Nội vụ", "Cán bộ Sở Nội vụ"),
    ("vpubnd", Role.REVIEWER, "Văn phòng UBND tỉnh", "Cán bộ Văn phòng UBND tỉnh"),
    ("sotuphap", Role.STAFF, "Sở Tư pháp", "Cán bộ đầu mối Sở Tư pháp"),
    ("sotuphap_lanhdao", Role.LEADER, "Sở Tư pháp", "Lãnh đạo Sở Tư pháp"),
]

# Reviewers who also run the portal for their province in /admin/ (agencies.roles).
DEMO_PROVINCE_ADMINS = {"sonoivu", "vpubnd"}


DEMO_USERS_PROVINCE = "dak-lak"


def create_demo_users(province_code: str = DEMO_USERS_PROVINCE) -> list[str]:
    """Create or reset the documented demo accounts (password demo12345), in ``province_code``.

    Đắk Lắk for the demo (Phú Yên merged into it on 1/7/2025: its agencies have ended and their accounts can no
    longer sign in); the test suite keeps them in Phú Yên, the 2024 world its tests are written against.
    """
    admin, _ = User.objects.get_or_create(username="admin", defaults={"role": Role.ADMIN})
    admin.is_staff = admin.is_superuser = True
    admin.role = Role.ADMIN
    admin.email = admin.email or "admin@example.invalid"
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    names = ["admin"]
    for username, role, agency_name, full_name in DEMO_USERS:
        agency = Resolver(Province.objects.get(code=province_code)).resolve_name(agency_name).agency
        user, _ = User.objects.get_or_create(username=username, defaults={"agency": agency, "role": role})
        user.agency, user.role = agency, role
        user.first_name = full_name
        user.email = user.email or f"{username}@example.invalid"
        user.set_password(DEMO_PASSWORD)
        user.save()
        if username in DEMO_PROVINCE_ADMINS:
            make_province_admin(user)
        names.append(username)
    return names
