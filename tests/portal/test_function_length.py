"""No function of the portal longer than a screen (issue 17): 60 lines, outside migrations and tests.

A function longer than that is split by what each part computes, into helpers named for it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 60
FOLDERS = ("core", "agencies", "plans", "tasks", "indicators", "cchc_portal", "bench")


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
    assert not found, f"functions over {LIMIT} lines: split them by what each part computes: {found}"


def test_the_check_sees_a_long_function(tmp_path, monkeypatch):
    package = tmp_path / "core"
    package.mkdir()
    body = "\n".join(f"    x{n} = {n}" for n in range(LIMIT))
    (package / "long.py").write_text(f"def too_long():\n{body}\n", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    monkeypatch.setattr(__import__(__name__, fromlist=["FOLDERS"]), "FOLDERS", ("core",))
    assert long_functions() == {"core/long.py:too_long": LIMIT + 1}
