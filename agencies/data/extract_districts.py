"""Write agencies/data/districts.csv: the 696 district-level units abolished on 1/7/2025 and the communes that took
their wards. Run once by hand (the portal reads only the CSV); kept so that the file can be checked and remade.

Sources (PyPI packages, downloaded and unzipped, not installed: the portal does not depend on them):

- ``vietnam-provinces==0.6.0`` (data of 4/1/2025, the statistics office's list before the 2025 reform): the 63
  former provinces, their 696 quận/huyện/thị xã/thành phố thuộc tỉnh with their official codes, and the wards of
  each district with their official codes (``data/nested-divisions.json``).
- ``vietnamadminunits==1.0.4`` (MIT, data of 23/8/2025): which former wards each of the 3,321 new communes was made
  of, after the resolutions of the Standing Committee of the National Assembly of 16/6/2025
  (``data/converter_2025.json``: new commune -> its former wards; a former ward split between several new communes
  is listed under each), with the official codes of both (``data/dataset.db``).
- the installed ``vietnam-provinces`` (2025.10.1, requirements.txt): the 34 provinces and 3,321 communes, to check
  that every successor code exists there.

A district's successors are the new communes that took at least one of its wards (their official codes). Usage:

    pip download vietnam-provinces==0.6.0 vietnamadminunits==1.0.4 --no-deps -d /tmp/vp_old   # then unzip both
    python agencies/data/extract_districts.py /tmp/vp_old/vietnam_provinces /tmp/vp_old/vietnamadminunits
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import sys
import tomllib
import unicodedata
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from django.utils.text import slugify  # noqa: E402

from core.text import fold  # noqa: E402

# Old tone placement ("Tuy Hoà", "Thuỳ") -> the one the 2025 package mostly uses ("Tuy Hòa"), at a word's end only
# ("Hoàng" keeps its mark) and never after "q" ("Quý").
_OLD_TONE_RE = re.compile(r"(?<![qQ])([oOuU])([àáảãạèéẻẽẹỳýỷỹỵ])(?!\w)")


# Two names of the package write the division with a capital ("Thành Phố Bắc Kạn").
_PREFIX_RE = re.compile(r"^(?:thành phố|thị xã)(?= )", re.IGNORECASE)


def modern_tone(name: str) -> str:
    """'Thành phố Tuy Hoà' -> 'Thành phố Tuy Hòa': the mark moves from the last vowel to the first."""

    def move(match: re.Match[str]) -> str:
        first, second = match.group(1), match.group(2)
        decomposed = unicodedata.normalize("NFD", second)
        base, marks = decomposed[0], decomposed[1:]
        return unicodedata.normalize("NFC", first + marks) + base

    return _OLD_TONE_RE.sub(move, unicodedata.normalize("NFC", name))


def province_code(name: str) -> str:
    """Same rule as agencies.directory.province_code (the name's slug without "Thành phố"/"Tỉnh")."""
    name = " ".join(name.split())
    for prefix in ("Thành phố ", "Tỉnh "):
        name = name.removeprefix(prefix)
    return slugify(fold(name))


def new_commune_codes(admin_units: Path) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """Official codes of former wards by their (province, district, ward) key, and of new communes by their key.

    A new commune's code is taken from the installed vietnam-provinces by province and name: for 114 communes the
    two packages give different codes (the newer package follows the statistics office's later corrections).
    """
    import vietnam_provinces

    db = sqlite3.connect(admin_units / "data" / "dataset.db")
    old = {
        f"{p}_{d}_{w}": int(code)
        for p, d, w, code in db.execute(
            "select provinceKey, districtKey, wardKey, wardCode from admin_units_legacy where wardCode is not null"
        )
    }
    provinces = {int(p.code): province_code(p.name) for p in vietnam_provinces.Province.iter_all()}
    official = {(provinces[int(w.province_code)], fold(w.name)): int(w.code) for w in vietnam_provinces.Ward.iter_all()}
    new = {
        (p, w): official[(province_code(province), fold(name))]
        for p, w, province, name in db.execute("select provinceKey, wardKey, province, ward from admin_units")
    }
    return old, new


def successors_of_wards(admin_units: Path) -> dict[int, set[int]]:
    """Former ward code -> the codes of the new communes that took it (or part of it)."""
    old_codes, new_codes = new_commune_codes(admin_units)
    data = json.loads((admin_units / "data" / "converter_2025.json").read_text(encoding="utf-8"))
    taken: dict[int, set[int]] = defaultdict(set)
    for province, communes in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for commune, former in communes.items():
            for key in former:
                if key in old_codes:  # the island districts without wards are listed as "<district>_None"
                    taken[old_codes[key]].add(new_codes[(province, commune)])
    for province, wards in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for key, parts in wards.items():
            taken[old_codes[key]] |= {new_codes[(province, part["newWardKey"])] for part in parts}
    return taken


def district_rows(old_provinces: Path, admin_units: Path) -> list[dict[str, str]]:
    """One row per former district: our province code, official code, name, successor commune codes."""
    import vietnam_provinces

    current = {province_code(p.name) for p in vietnam_provinces.Province.iter_all()}
    communes = {int(w.code) for w in vietnam_provinces.Ward.iter_all()}
    # The island districts had no wards: each became the special zone (đặc khu) of the same name.
    zones = {" ".join(w.name.split()).removeprefix("Đặc khu "): int(w.code) for w in vietnam_provinces.Ward.iter_all()}
    merged = tomllib.loads((HERE / "provinces.toml").read_text(encoding="utf-8"))["merged"]
    absorbed = {slugify(fold(name)) for names in merged.values() for name in names}
    taken = successors_of_wards(admin_units)
    rows = []
    nested = json.loads((old_provinces / "data" / "nested-divisions.json").read_text(encoding="utf-8"))
    for province in nested:
        code = province_code(province["name"])
        if code not in current | absorbed:
            raise SystemExit(f"unknown former province {province['name']!r} ({code})")
        for district in province["districts"]:
            successors = set().union(*(taken.get(w["code"], set()) for w in district["wards"]))
            if not district["wards"]:
                successors = {zones[district["name"].removeprefix("Huyện ")]}
            missing = successors - communes
            if missing:
                raise SystemExit(f"{district['name']}: communes {sorted(missing)} not in vietnam-provinces")
            rows.append(
                {
                    "province": code,
                    "code": str(district["code"]),
                    "name": modern_tone(
                        _PREFIX_RE.sub(lambda m: m.group(0).capitalize(), " ".join(district["name"].split()))
                    ),
                    "successors": " ".join(str(c) for c in sorted(successors)),
                }
            )
    return rows


def main(old_provinces: str, admin_units: str) -> None:
    rows = district_rows(Path(old_provinces), Path(admin_units))
    with (HERE / "districts.csv").open("w", encoding="utf-8", newline="") as out:
        out.write(
            "# Former districts (until 30/6/2025) and the communes that took their wards: made by "
            "extract_districts.py from vietnam-provinces 0.6.0 and vietnamadminunits 1.0.4 (see that file).\n"
        )
        writer = csv.DictWriter(out, fieldnames=["province", "code", "name", "successors"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    alone = sum(1 for r in rows if not r["successors"])
    sys.stdout.write(f"{len(rows)} districts written, {alone} without a successor\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
