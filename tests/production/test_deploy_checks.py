"""With production settings (DEBUG=False and a real SECRET_KEY) Django's deployment checklist passes without a single
warning; in development the portal still runs on plain http."""

from __future__ import annotations

import json

from tests.production.support import child_env, manage, production_env

SETTINGS = (
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
)
PRINT_SETTINGS = (
    f"from django.conf import settings as s; import json; print(json.dumps({{n: getattr(s, n) for n in {SETTINGS!r}}}))"
)


def read_settings(env) -> dict:
    result = manage("shell", "-c", PRINT_SETTINGS, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_defaults_are_https_only_with_a_year_of_hsts(tmp_path):
    assert read_settings(production_env(tmp_path)) == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
    }


def test_each_production_default_can_be_overridden(tmp_path):
    env = production_env(tmp_path, SECURE_HSTS_SECONDS="3600", SECURE_SSL_REDIRECT="False")
    values = read_settings(env)
    assert (values["SECURE_HSTS_SECONDS"], values["SECURE_SSL_REDIRECT"]) == (3600, False)
    # Turning a protection off is the operator's choice, and check --deploy says so.
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout


def test_development_still_runs_on_plain_http(tmp_path):
    env = child_env(DATA_DIR=str(tmp_path / "data"))  # DEBUG defaults to True
    assert read_settings(env) == {
        "DEBUG": True,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
    }
    assert manage("check", env=env).returncode == 0
    # check --deploy runs, and lists what development leaves off.
    result = manage("check", "--deploy", env=env)
    assert result.returncode == 0, result.stderr
    assert "security.W018" in result.stderr + result.stdout  # DEBUG
