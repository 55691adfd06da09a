"""Load the country's directory: the 34 provinces and their communes from the package ``vietnam-provinces``, the
standard agencies of each province and the central level from ``agencies/data``, and the 2025 merger history.

Idempotent and additive: a unit is linked to its row by ``Agency.directory_key``, so an admin may rename it; a
hand-made agency with the same name or alias is linked instead of duplicated; nothing is ever deleted, and a
standard unit an admin deleted is not created again (``Province.directory_keys``). Bulk writes: a few queries per
province, whatever the number of communes.
"""

from __future__ import annotations

import csv
import datetime
import functools
import time
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from agencies.models import (
    Agency,
    AgencyGroup,
    AgencyKind,
    AgencyLevel,
    Alias,
    GroupKind,
    Province,
    Succession,
)
from agencies.names import name_key
from core.text import fold

DATA = Path(__file__).resolve().parent / "data"
CENTRAL_CODE = "trung-uong"
CENTRAL_NAME = "Trung ương"
COMMUNES_FROM = datetime.date(2025, 7, 1)  # the two-level local government
LAST_DAY_BEFORE_MERGER = datetime.date(2025, 6, 30)


def clean_name(name: str) -> str:
    """Normalise a name of the package: single spaces ("Phường  Buôn Ma Thuột" -> "Phường Buôn Ma Thuột")."""
    return " ".join(name.split())


def province_code(name: str) -> str:
    """The readable code of a province: its name's slug without "Thành phố"/"Tỉnh" ("Thành phố Huế" -> "hue")."""
    name = clean_name(name)
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return slugify(fold(name))


def _place(name: str) -> tuple[str, str]:
    """("thành phố", "Hà Nội") or ("tỉnh", "Đắk Lắk") for the templates of the data files."""
    name = clean_name(name)
    if name.startswith("Thành phố "):
        return "thành phố", name[len("Thành phố ") :]
    return "tỉnh", name.removeprefix("Tỉnh ")


@dataclass(frozen=True)
class UnitSpec:
    """One unit the directory wants in a province."""

    directory_key: str
    code: str
    name: str
    kind: str
    level: str
    short_name: str = ""
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    aliases: tuple[str, ...] = ()
    parent: str = ""  # directory key
    successors: tuple[dict, ...] = ()  # {"to": directory key, "main": bool, "duties": str}
    std_key: str = ""  # key in Province.directory_keys (standard units only)


@dataclass
class ProvinceSpec:
    code: str
    name: str
    number: int | None = None
    valid_to: datetime.date | None = None
    successor: str = ""
    is_central: bool = False
    units: list[UnitSpec] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)


@dataclass
class DirectoryReport:
    """What a load did: counts per outcome, and the time it took."""

    provinces_added: int = 0
    provinces_matched: int = 0
    agencies_added: int = 0
    agencies_matched: list[str] = field(default_factory=list)  # hand-made agencies linked to a standard unit
    agencies_linked: int = 0  # already linked by an earlier load
    agencies_left_alone: list[str] = field(default_factory=list)  # hand-made agencies the directory does not know
    agencies_removed_by_admin: int = 0
    groups_added: int = 0
    aliases_added: int = 0
    successions_added: int = 0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The report in Vietnamese, for the command."""
        out = [
            f"Tỉnh: thêm {self.provinces_added}, đã có {self.provinces_matched}.",
            f"Cơ quan, đơn vị: thêm {self.agencies_added}, khớp với cơ quan đã có {len(self.agencies_matched)}, "
            f"đã liên kết từ lần nạp trước {self.agencies_linked}, giữ nguyên (không có trong danh mục) "
            f"{len(self.agencies_left_alone)}, không tạo lại vì quản trị đã xóa {self.agencies_removed_by_admin}.",
            f"Nhóm: thêm {self.groups_added}; tên gọi khác: thêm {self.aliases_added}; quan hệ kế thừa: thêm "
            f"{self.successions_added}.",
            f"Thời gian: {self.seconds:.1f} giây.".replace(".", ",", 1),
        ]
        if self.agencies_matched:
            out.append(
                "Khớp: " + "; ".join(self.agencies_matched[:20]) + (" …" if len(self.agencies_matched) > 20 else "")
            )
        if self.agencies_left_alone:
            out.append(
                "Giữ nguyên: "
                + "; ".join(self.agencies_left_alone[:20])
                + (" …" if len(self.agencies_left_alone) > 20 else "")
            )
        return out


def _read(name: str) -> dict:
    return tomllib.loads((DATA / name).read_text(encoding="utf-8"))


def _units_from_data(
    entries: list[dict],
    prefix: str,
    code_prefix: str,
    unit: str,
    place: str,
    *,
    is_city: bool,
    history: bool,
    level: str,
    ends: datetime.date | None = None,
) -> list[UnitSpec]:
    units = []
    for entry in entries:

        def fill(text: str) -> str:
            return " ".join(text.replace("{unit}", unit).replace("{place}", place).split())

        aliases = [fill(a) for a in entry.get("aliases", [])]
        if is_city:
            aliases += [fill(a.replace("{unit}", "TP")) for a in entry.get("aliases", []) if "{unit}" in a]
        valid_to = entry.get("valid_to") or ends
        units.append(
            UnitSpec(
                directory_key=f"{prefix}:{entry['key']}",
                code=f"{code_prefix}-{entry['key']}"[:60],
                name=fill(entry["name"]),
                kind=entry["kind"],
                level=level,
                valid_from=entry.get("valid_from"),
                valid_to=valid_to,
                aliases=tuple(dict.fromkeys(aliases)),
                parent=f"{prefix}:{entry['parent']}" if entry.get("parent") else "",
                successors=tuple(
                    {"to": f"{prefix}:{s['to']}", "main": s.get("main", False), "duties": s.get("duties", "")}
                    for s in entry.get("successors", [])
                ),
                std_key=("history:" if history else "") + entry["key"],
            )
        )
    return units


def _groups_from_data(entries: list[dict], unit: str) -> list[dict]:
    return [{**entry, "aliases": [a.replace("{unit}", unit) for a in entry.get("aliases", [])]} for entry in entries]


def plan_country(only: set[str] | None = None) -> list[ProvinceSpec]:
    """Everything the directory wants, province by province (no database access).

    ``only``: codes of current provinces to load (with their predecessors and the central level); None loads all.
    """
    import vietnam_provinces

    standard = _read("province_agencies.toml")
    history = _read("provinces.toml")
    wards: dict[int, list] = defaultdict(list)
    for ward in vietnam_provinces.Ward.iter_all():
        wards[int(ward.province_code)].append(ward)

    specs = [_central_spec(_read("central.toml"))]
    for package_province in vietnam_provinces.Province.iter_all():
        code = province_code(package_province.name)
        if only is not None and code not in only:
            continue
        unit, place = _place(package_province.name)
        spec = ProvinceSpec(code=code, name=clean_name(package_province.name), number=int(package_province.code))
        spec.units = _province_units(standard, code, unit, place, is_city=unit == "thành phố")
        spec.units += [
            _commune(code, ward) for ward in sorted(wards[int(package_province.code)], key=lambda w: int(w.code))
        ]
        spec.units += _districts(code)
        spec.groups = _groups_from_data(standard["group"], unit) + (
            [DISTRICT_GROUP] if _district_rows().get(code) else []
        )
        specs.append(spec)
        for old_name in history["merged"].get(code, []):
            specs.append(_absorbed_spec(standard, old_name, code, history["merged_until"]))
    return specs


def _central_spec(central: dict) -> ProvinceSpec:
    spec = ProvinceSpec(code=CENTRAL_CODE, name=CENTRAL_NAME, is_central=True)
    for entries, history in ((central["agency"], False), (central["history"], True)):
        spec.units += _units_from_data(
            entries, "tw", "tw", "", "", is_city=False, history=history, level=AgencyLevel.CENTRAL
        )
    spec.groups = central["group"]
    return spec


def _absorbed_spec(standard: dict, old_name: str, successor: str, merged_until: datetime.date) -> ProvinceSpec:
    """A former province: its units end on the merger and pass to the same units of ``successor``."""
    old_code = slugify(fold(old_name))
    old_unit, old_place = _place(old_name)
    old = ProvinceSpec(code=old_code, name=old_name, valid_to=merged_until, successor=successor)
    old.units = _province_units(
        standard, old_code, old_unit, old_place, is_city=False, ends=merged_until, successor=successor
    )
    old.units += _districts(old_code)
    old.groups = [g for g in _groups_from_data(standard["group"], old_unit) if g["kind"] == GroupKind.DEPARTMENTS]
    old.groups += [DISTRICT_GROUP] if _district_rows().get(old_code) else []
    return old


def _province_units(
    standard: dict,
    code: str,
    unit: str,
    place: str,
    *,
    is_city: bool,
    ends: datetime.date | None = None,
    successor: str = "",
) -> list[UnitSpec]:
    """The standard set of a province and its departments that ended in March 2025."""
    level = AgencyLevel.PROVINCE
    current = _units_from_data(
        standard["agency"], code, code, unit, place, is_city=is_city, history=False, level=level, ends=ends
    )
    if successor:  # an absorbed province's units pass to the same unit of the province it joined
        current = [
            UnitSpec(**{**u.__dict__, "successors": ({"to": f"{successor}:{u.std_key}", "main": True, "duties": ""},)})
            for u in current
        ]
    return current + _units_from_data(
        standard["history"], code, code, unit, place, is_city=is_city, history=True, level=level
    )


# How a former district's name starts, the word in "UBND <word> <place>" and in its short name ("TX Sông Cầu").
_DISTRICT_WORDS = (
    ("Thành phố ", "thành phố", "TP"),
    ("Thị xã ", "thị xã", "TX"),
    ("Huyện ", "huyện", "huyện"),
    ("Quận ", "quận", "quận"),
)
DISTRICT_GROUP = {
    "key": "districts",
    "name": "UBND cấp huyện",
    "kind": GroupKind.DISTRICT_COMMITTEES,
    "aliases": [
        "Ủy ban nhân dân cấp huyện",
        "UBND các huyện, thị xã, thành phố",
        "UBND huyện, thị xã, thành phố",
        "UBND các huyện, thành phố",
        "UBND các quận, huyện",
        "UBND các quận, huyện, thị xã",
        "Chủ tịch UBND các huyện, thị xã, thành phố",
    ],
}


@functools.cache
def _district_rows() -> dict[str, list[dict[str, str]]]:
    """The former districts of each province (agencies/data/districts.csv, made by extract_districts.py)."""
    lines = (DATA / "districts.csv").read_text(encoding="utf-8").splitlines()
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in csv.DictReader(line for line in lines if not line.startswith("#")):
        rows[row["province"]].append(row)
    return rows


def _districts(code: str) -> list[UnitSpec]:
    """The People's Committees of a province's former districts: history until 30/6/2025, then the communes
    that took their wards (several: a task given to one is shared out by a person, see ``choose_successor``)."""
    units = []
    for row in _district_rows().get(code, []):
        prefix, word, short = next(w for w in _DISTRICT_WORDS if row["name"].startswith(w[0]))
        place = row["name"][len(prefix) :]
        if place[:1].isdigit():  # "Quận 1": the number is the name
            word = short = prefix.strip()
        units.append(
            UnitSpec(
                directory_key=f"district:{row['code']}",
                code=f"{code}-{slugify(fold(row['name']))}"[:60],
                name=f"UBND {word} {place}",
                short_name=f"{short} {place}",
                kind=AgencyKind.DISTRICT_COMMITTEE,
                level=AgencyLevel.DISTRICT,
                valid_to=LAST_DAY_BEFORE_MERGER,
                parent=f"{code}:ubnd",
                successors=tuple({"to": f"ward:{c}", "main": False, "duties": ""} for c in row["successors"].split()),
                std_key=f"history:district-{row['code']}",
            )
        )
    return units


def _commune(code: str, ward) -> UnitSpec:
    """The People's Committee of one xã, phường or đặc khu of the package, its name normalised."""
    ward_name = clean_name(ward.name)
    division, _sep, rest = ward_name.partition(" ")
    if ward_name.lower().startswith("đặc khu "):
        division, rest = "đặc khu", ward_name[len("đặc khu ") :]
    return UnitSpec(
        directory_key=f"ward:{int(ward.code)}",
        code=f"{code}-{slugify(fold(ward_name))}"[:60],
        name=f"UBND {division.lower()} {rest}",
        short_name=ward_name,
        kind=AgencyKind.COMMUNE_COMMITTEE,
        level=AgencyLevel.COMMUNE,
        valid_from=COMMUNES_FROM,
    )


def _members_for(kind: str, units: dict[str, Agency], ministries: list[Agency]) -> list[Agency]:
    # The units that lived until the end: all current ones; in an absorbed province, those that reached the merger.
    agencies = [a for a in units.values() if a.valid_to is None or a.valid_to >= LAST_DAY_BEFORE_MERGER]
    if kind == GroupKind.DEPARTMENTS:
        return [a for a in agencies if a.kind in (AgencyKind.DEPARTMENT, AgencyKind.BOARD)]
    if kind == GroupKind.COMMUNE_COMMITTEES:
        return [a for a in agencies if a.kind == AgencyKind.COMMUNE_COMMITTEE]
    if kind == GroupKind.DISTRICT_COMMITTEES:
        return [a for a in agencies if a.kind == AgencyKind.DISTRICT_COMMITTEE]
    provincial = [a for a in agencies if a.level == AgencyLevel.PROVINCE and a.kind != AgencyKind.PROVINCIAL_COMMITTEE]
    if kind == GroupKind.RELATED:
        return provincial
    if kind == GroupKind.ALL:
        return provincial + [a for a in agencies if a.kind == AgencyKind.COMMUNE_COMMITTEE]
    if kind == GroupKind.NATIONAL:
        return ministries + [a for a in agencies if a.kind == AgencyKind.PROVINCIAL_COMMITTEE]
    if kind == GroupKind.MINISTRIES:
        return ministries
    return []


@transaction.atomic
def load_directory(only: list[str] | None = None) -> DirectoryReport:
    """Load or complete the directory (see the module's docstring); ``only`` limits it to some current provinces."""
    started = time.perf_counter()
    report = DirectoryReport()
    specs = plan_country(set(only) if only is not None else None)

    # Provinces: one query to read, one bulk insert, then blanks filled on the existing ones.
    existing = {p.code: p for p in Province.objects.filter(code__in=[s.code for s in specs])}
    new = [
        Province(code=s.code, name=s.name, number=s.number, is_central=s.is_central, valid_to=s.valid_to)
        for s in specs
        if s.code not in existing
    ]
    Province.objects.bulk_create(new)
    report.provinces_added, report.provinces_matched = len(new), len(existing)
    provinces = {p.code: p for p in Province.objects.filter(code__in=[s.code for s in specs])}
    for spec in specs:
        province = provinces[spec.code]
        changed = []
        for attr, value in (
            ("number", spec.number),
            ("valid_to", spec.valid_to),
            ("is_central", spec.is_central or None),
        ):
            if value and not getattr(province, attr):
                setattr(province, attr, value)
                changed.append(attr)
        successor = provinces.get(spec.successor)
        if successor and province.successor_id is None:
            province.successor = successor
            changed.append("successor")
        if changed:
            province.save(update_fields=changed)

    by_key: dict[str, Agency] = {}
    units_of: dict[str, dict[str, Agency]] = {}
    for spec in specs:
        units_of[spec.code] = _load_units(provinces[spec.code], spec, report)
        by_key.update(units_of[spec.code])
    # Keys of provinces outside ``only`` that successors point to (an earlier, full load made them).
    wanted = {s["to"] for spec in specs for u in spec.units for s in u.successors} - by_key.keys()
    by_key.update({a.directory_key: a for a in Agency.objects.filter(directory_key__in=wanted)})
    _link_successors(specs, by_key, report)
    ministries = [
        a
        for a in by_key.values()
        if a.kind == AgencyKind.MINISTRY and a.valid_to is None and a.directory_key != "tw:chinh-phu"
    ]
    for spec in specs:
        _load_groups(provinces[spec.code], spec, units_of[spec.code], ministries, report)
    report.seconds = time.perf_counter() - started
    return report


def _load_units(province: Province, spec: ProvinceSpec, report: DirectoryReport) -> dict[str, Agency]:
    """Create, link or leave alone the units of one province; return directory key -> agency."""
    units = _ProvinceUnits.read(province, spec, report)
    for unit in spec.units:
        units.place(unit)
    units.write()
    _set_parents(spec, units.result)
    _add_aliases(province, spec, units.result, report)
    keys = sorted(units.applied | {u.std_key for u in spec.units if u.std_key and u.directory_key in units.result})
    if keys != sorted(province.directory_keys or []):
        province.directory_keys = keys
        province.save(update_fields=["directory_keys"])
    return units.result


@dataclass
class _ProvinceUnits:
    """What one province holds, and what the load does to it: link, match, create (two queries to read)."""

    province: Province
    report: DirectoryReport
    existing: list[Agency]
    linked: dict[str, Agency]
    by_name: dict[str, Agency]  # hand-made agencies by the keys of their name, short name and aliases
    names_taken: set[str]
    codes_taken: set[str]
    applied: set[str]
    result: dict[str, Agency] = field(default_factory=dict)
    to_create: list[Agency] = field(default_factory=list)
    matched: list[Agency] = field(default_factory=list)

    @classmethod
    def read(cls, province: Province, spec: ProvinceSpec, report: DirectoryReport) -> _ProvinceUnits:
        existing = list(Agency.objects.filter(province=province))
        unlinked = {a.pk: a for a in existing if not a.directory_key}
        by_name: dict[str, Agency] = {}
        for agency in unlinked.values():
            for text in filter(None, (agency.name, agency.short_name)):
                by_name.setdefault(name_key(text), agency)
        aliases = Alias.objects.filter(province=province, agency_id__in=list(unlinked)).values_list("key", "agency_id")
        for key, agency_id in aliases:
            by_name.setdefault(key, unlinked[agency_id])
        codes = Agency.objects.filter(code__in=[u.code for u in spec.units]).values_list("code", flat=True)
        return cls(
            province=province,
            report=report,
            existing=existing,
            linked={a.directory_key: a for a in existing if a.directory_key},
            by_name=by_name,
            names_taken={fold(a.name) for a in existing},
            codes_taken=set(codes),
            applied=set(province.directory_keys or []),
        )

    def place(self, unit: UnitSpec) -> None:
        """Link the unit to its row, to a hand-made agency of the same name, or plan to create it."""
        if unit.directory_key in self.linked:
            self.result[unit.directory_key] = self.linked[unit.directory_key]
            self.report.agencies_linked += 1
        elif unit.std_key and unit.std_key in self.applied:
            self.report.agencies_removed_by_admin += 1  # created by an earlier load, deleted since by an admin
        elif (candidate := self._same_name(unit)) is not None:
            self._match(candidate, unit)
        else:
            self._create(unit)

    def _same_name(self, unit: UnitSpec) -> Agency | None:
        for text in filter(None, (unit.name, unit.short_name, *unit.aliases)):
            found = self.by_name.get(name_key(text))
            # A unit of another period with the same name (an old commune) is history, not this unit.
            if found is not None and _overlaps(found, unit):
                return found
        return None

    def _match(self, candidate: Agency, unit: UnitSpec) -> None:
        candidate.directory_key = unit.directory_key
        for attr in ("short_name", "valid_from", "valid_to"):
            if not getattr(candidate, attr) and getattr(unit, attr):
                setattr(candidate, attr, getattr(unit, attr))
        self.matched.append(candidate)
        for key in [k for k, a in self.by_name.items() if a.pk == candidate.pk]:
            del self.by_name[key]
        self.result[unit.directory_key] = candidate
        self.report.agencies_matched.append(f"{self.province.name}: {candidate.name} = {unit.name}")

    def _create(self, unit: UnitSpec) -> None:
        name = unit.name
        if fold(name) in self.names_taken:  # an unrelated agency of another period holds the name
            name = f"{name} (từ {unit.valid_from:%d/%m/%Y})" if unit.valid_from else f"{name} ({unit.directory_key})"
        code = unit.code
        if code in self.codes_taken:
            code = f"{unit.code[:50]}-{unit.directory_key.split(':')[-1]}"[:60]
        self.codes_taken.add(code)
        self.names_taken.add(fold(name))
        agency = Agency(
            province=self.province,
            code=code,
            name=name,
            short_name=unit.short_name,
            kind=unit.kind,
            level=unit.level,
            valid_from=unit.valid_from,
            valid_to=unit.valid_to,
            directory_key=unit.directory_key,
            search_text=Agency.folded(name, unit.short_name),
        )
        self.to_create.append(agency)
        self.result[unit.directory_key] = agency

    def write(self) -> None:
        """Two bulk writes (and the history of the new rows); report who was left alone."""
        if self.matched:
            Agency.objects.bulk_update(self.matched, ["directory_key", "short_name", "valid_from", "valid_to"])
        if self.to_create:
            bulk_create_with_history(self.to_create, Agency, batch_size=1000)
            # bulk_create_with_history returns objects with pk on PostgreSQL; fetch to be safe on every backend.
            keys = [a.directory_key for a in self.to_create]
            self.result.update(
                {a.directory_key: a for a in Agency.objects.filter(province=self.province, directory_key__in=keys)}
            )
            self.report.agencies_added += len(self.to_create)
        matched = {a.pk for a in self.matched}
        self.report.agencies_left_alone += [
            f"{self.province.name}: {a.name}" for a in self.existing if not a.directory_key and a.pk not in matched
        ]


def _set_parents(spec: ProvinceSpec, result: dict[str, Agency]) -> None:
    """Parents (Trung tâm PVHCC under Văn phòng UBND, the districts under the UBND tỉnh), only where none is set.

    One UPDATE per parent: a province's districts share theirs (bulk_update's CASE per row took 4x longer).
    """
    children: dict[int, list[int]] = defaultdict(list)
    for unit in spec.units:
        agency, parent = result.get(unit.directory_key), result.get(unit.parent)
        if agency is not None and parent is not None and agency.parent_id is None:
            agency.parent = parent
            children[parent.pk].append(agency.pk)
    for parent_id, pks in children.items():
        Agency.objects.filter(pk__in=pks, parent__isnull=True).update(parent_id=parent_id)


def _add_aliases(province: Province, spec: ProvinceSpec, result: dict[str, Agency], report: DirectoryReport) -> None:
    """Aliases: the first writer of a key wins; never over an alias an admin made."""
    known = set(Alias.objects.filter(province=province).values_list("key", flat=True))
    known |= {name_key(a.name) for a in result.values()}
    aliases = []
    for unit in spec.units:
        agency = result.get(unit.directory_key)
        for text in unit.aliases if agency is not None else ():
            key = name_key(text)
            if key and key not in known:
                known.add(key)
                aliases.append(Alias(province=province, text=text, key=key, agency=agency))
    Alias.objects.bulk_create(aliases)
    report.aliases_added += len(aliases)


def _overlaps(agency: Agency, unit: UnitSpec) -> bool:
    """The hand-made ``agency`` exists during part of the unit's validity."""
    starts_before_end = agency.valid_from is None or unit.valid_to is None or agency.valid_from <= unit.valid_to
    ends_after_start = agency.valid_to is None or unit.valid_from is None or agency.valid_to >= unit.valid_from
    return starts_before_end and ends_after_start


def _link_successors(specs: list[ProvinceSpec], by_key: dict[str, Agency], report: DirectoryReport) -> None:
    """Successions of the units that ended, and ``Agency.successor`` (the main one) where it is blank."""
    existing = set(
        Succession.objects.filter(predecessor__in=[a for a in by_key.values() if a.pk]).values_list(
            "predecessor_id", "successor_id"
        )
    )
    rows, mains = [], []
    for spec in specs:
        for unit in spec.units:
            agency = by_key.get(unit.directory_key)
            if agency is None or not unit.successors:
                continue
            for part in unit.successors:
                successor = by_key.get(part["to"])
                if successor is None:
                    # The successor a province never had (no Sở Dân tộc và Tôn giáo): its duties went to Sở Nội vụ.
                    successor = (
                        by_key.get(part["to"].rsplit(":", 1)[0] + ":snv") if part["to"].endswith(":sdttg") else None
                    )
                if successor is None or successor.pk == agency.pk:
                    continue
                main = part["main"] or len(unit.successors) == 1
                if (agency.pk, successor.pk) not in existing:
                    existing.add((agency.pk, successor.pk))
                    rows.append(
                        Succession(
                            predecessor=agency,
                            successor=successor,
                            on=(unit.valid_to or COMMUNES_FROM) + datetime.timedelta(days=1),
                            is_main=main,
                            duties=part["duties"],
                        )
                    )
                if main and agency.successor_id is None:
                    agency.successor = successor
                    mains.append(agency)
    Succession.objects.bulk_create(rows)
    if mains:
        Agency.objects.bulk_update(mains, ["successor"])
    report.successions_added += len(rows)


def _load_groups(
    province: Province, spec: ProvinceSpec, units: dict[str, Agency], ministries: list[Agency], report: DirectoryReport
) -> None:
    """Create the province's standard groups that it lacks (a group of the same kind or name counts as there)."""
    existing = list(AgencyGroup.objects.filter(province=province))
    kinds = {g.kind for g in existing if g.kind != GroupKind.CUSTOM}
    names = {name_key(g.name) for g in existing}
    known = set(Alias.objects.filter(province=province).values_list("key", flat=True))
    through = AgencyGroup.members.through
    links, aliases = [], []
    for entry in spec.groups:
        if entry["kind"] in kinds or name_key(entry["name"]) in names:
            continue
        group = AgencyGroup.objects.create(
            province=province, code=f"{province.code}-{entry['key']}"[:60], name=entry["name"], kind=entry["kind"]
        )
        report.groups_added += 1
        links += [
            through(agencygroup_id=group.pk, agency_id=a.pk) for a in _members_for(entry["kind"], units, ministries)
        ]
        for text in entry.get("aliases", []):
            key = name_key(text)
            if key and key not in known:
                known.add(key)
                aliases.append(Alias(province=province, text=text, key=key, group=group))
    through.objects.bulk_create(links, ignore_conflicts=True)
    Alias.objects.bulk_create(aliases)
    report.aliases_added += len(aliases)


def current_province_code(text: str) -> str:
    """Return the code of the current province ``text`` names (code or official number), loaded or not.

    Raise ProvinceNotFound with the closest codes ("Không có tỉnh 'dak lak'; có phải: dak-lak?").
    """
    import difflib

    import vietnam_provinces

    from agencies.models import ProvinceNotFound

    text = (text or "").strip()
    codes = {province_code(p.name): int(p.code) for p in vietnam_provinces.Province.iter_all()}
    if text in codes:
        return text
    if text.isascii() and text.isdigit():
        for code, number in codes.items():
            if number == int(text):
                return code
    close = difflib.get_close_matches(slugify(fold(text)) or text, sorted(codes), n=3, cutoff=0.7)
    if close:
        raise ProvinceNotFound(f"Không có tỉnh '{text}'; có phải: {', '.join(close)}?")
    raise ProvinceNotFound(f"Không có tỉnh '{text}'. Xem danh sách mã: python manage.py load_directory --list")
