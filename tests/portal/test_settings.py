"""Settings come from the environment and fail fast."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cchc_portal.settings import env_bool, env_int


def run_settings(**environ):
    """Import the settings in a fresh interpreter with the given environment; return (exit code, stderr)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL")}
    env.update(environ)
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='cchc_portal.settings'; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR
    )
    return result.returncode, result.stdout, result.stderr


def test_debug_off_refuses_the_default_secret_key():
    code, _out, err = run_settings(DEBUG="False")
    assert code != 0
    assert "SECRET_KEY must be set" in err


def test_debug_off_starts_with_a_real_secret_key():
    code, out, err = run_settings(DEBUG="False", SECRET_KEY="a-real-secret-" + "x" * 40)
    assert code == 0, err


def test_embedded_default_is_sqlite_and_a_file_broker():
    code, out, _err = run_settings()
    assert code == 0
    assert out.split() == ["django.db.backends.sqlite3", "filesystem://"]


def test_database_url_and_redis_url_switch_to_the_servers():
    code, out, _err = run_settings(DATABASE_URL="postgres://u@127.0.0.1:5432/x", REDIS_URL="redis://127.0.0.1:6379/3")
    assert code == 0
    assert out.split() == ["django.db.backends.postgresql", "redis://127.0.0.1:6379/3"]


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file-" + "y" * 40)
    code, _out, err = run_settings(DEBUG="False", SECRET_KEY_FILE=str(secret))
    assert code == 0, err


def test_booleans_must_be_spelled_true_or_false(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "yes")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG")
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env_int("SOME_NUMBER", 1)


def test_every_setting_read_from_the_environment_is_listed_in_env_example():
    source = (settings.BASE_DIR / "cchc_portal" / "settings.py").read_text()
    example = (settings.BASE_DIR / ".env.example").read_text()
    import re

    names = set(re.findall(r'env(?:_bool|_int|_list)?\("([A-Z_]+)"', source))
    listed = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    assert names, "no settings found"
    assert names <= listed, f"missing from .env.example: {sorted(names - listed)}"


def test_locale_is_vietnamese_first_with_english(settings):
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _name in settings.LANGUAGES] == ["vi", "en"]
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"


def test_dates_are_read_and_shown_day_first():
    import datetime

    from django import forms
    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override("vi"):
        field = forms.DateField()
        assert field.clean("03/04/2025") == datetime.date(2025, 4, 3)
        assert date_format(datetime.date(2025, 4, 3), "SHORT_DATE_FORMAT") == "03/04/2025"
    with translation.override("en"):
        assert forms.DateField().clean("03/04/2025") == datetime.date(2025, 4, 3)


def test_openpyxl_guards_against_xml_attacks():
    import openpyxl

    assert openpyxl.DEFUSEDXML is True
