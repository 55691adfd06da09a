"""The layers of the code (issue 17): import-linter's contracts (``.importlinter``) hold, and they do catch an
import that runs up the layers."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "agencies", "plans", "tasks", "indicators", "cchc_portal")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(where / ".importlinter"), "--no-cache"],
        cwd=where,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )


def copy_of_the_code(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "templates"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def test_the_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "2 kept, 0 broken" in result.stdout


def test_an_app_importing_the_project_package_breaks_the_layers(tmp_path):
    code = copy_of_the_code(tmp_path)
    with (code / "tasks" / "models.py").open("a") as models:
        models.write("\nfrom cchc_portal.dashboards import queries  # noqa\n")
    result = lint_imports(code)
    assert result.returncode != 0
    assert "tasks is not allowed to import cchc_portal" in result.stdout


def test_core_importing_an_app_breaks_its_contract(tmp_path):
    code = copy_of_the_code(tmp_path)
    with (code / "core" / "text.py").open("a") as text:
        text.write("\nfrom agencies import models  # noqa\n")
    result = lint_imports(code)
    assert result.returncode != 0
    assert "core is not allowed to import agencies" in result.stdout
