"""No function of the portal longer than a screen (issue 17): 60 lines, outside migrations and tests.

A function longer than that is split by what each part computes. The list below names the ones not yet split;
it may only shrink (a listed function that got shorter must leave it, and none may grow).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 60
FOLDERS = ("core", "agencies", "plans", "tasks", "indicators", "cchc_portal", "bench")
NOT_YET_SPLIT: dict[str, int] = {
    "cchc_portal/dashboards/exports.py:build_docx": 271,
    "bench/dashboard.py:build": 218,
    "cchc_portal/dashboards/pages.py:overview_context": 140,
    "bench/load.py:main": 136,
    "cchc_portal/dashboards/exports.py:build_xlsx": 128,
    "tasks/pages.py:task_page": 120,
    "cchc_portal/dashboards/queries.py:reporting": 105,
    "tasks/importing.py:apply_preview": 104,
    "cchc_portal/synthetic.py:_province": 94,
    "bench/import_appendix.py:main": 86,
    "cchc_portal/dashboards/pages.py:drilldown_context": 76,
    "bench/dashboard.py:measure": 72,
    "cchc_portal/dashboards/scope.py:resolve_scope": 71,
    "cchc_portal/dashboards/exports.py:report_data": 68,
    "cchc_portal/dashboards/pages.py:_ranking_rows": 67,
    "tasks/importing.py:build_preview": 63,
}


def long_functions() -> dict[str, int]:
    found = {}
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = node.end_lineno - node.lineno + 1
                    if length > LIMIT:
                        found[f"{path.relative_to(ROOT)}:{node.name}"] = length
    return found


def test_no_function_is_longer_than_a_screen():
    found = long_functions()
    new = {name: length for name, length in found.items() if name not in NOT_YET_SPLIT}
    assert not new, f"functions over {LIMIT} lines: split them by what each part computes: {new}"
    grown = {name: length for name, length in found.items() if length > NOT_YET_SPLIT.get(name, LIMIT)}
    assert not grown, f"grew: {grown}"
    gone = sorted(set(NOT_YET_SPLIT) - set(found))
    assert not gone, f"now short enough, remove from NOT_YET_SPLIT: {gone}"


def test_the_check_sees_a_long_function(tmp_path, monkeypatch):
    package = tmp_path / "core"
    package.mkdir()
    body = "\n".join(f"    x{n} = {n}" for n in range(LIMIT))
    (package / "long.py").write_text(f"def too_long():\n{body}\n", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    monkeypatch.setattr(__import__(__name__, fromlist=["FOLDERS"]), "FOLDERS", ("core",))
    assert long_functions() == {"core/long.py:too_long": LIMIT + 1}
