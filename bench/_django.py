"""Set up Django for a benchmark script: DATABASE_URL if set, else a throwaway SQLite file; migrate it."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(default_db: str | None = None) -> str:
    """Point Django at the benchmark database, migrate it, and return its URL."""
    sys.path.insert(0, str(ROOT))
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = default_db or f"sqlite:///{tempfile.mkdtemp(prefix='cchc-bench-')}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
    os.environ.setdefault("FAST_PASSWORD_HASHER", "True")
    import django

    django.setup()
    from django.core.management import call_command

    _create_postgres_database(os.environ["DATABASE_URL"])
    call_command("migrate", verbosity=0)
    return os.environ["DATABASE_URL"]


def _create_postgres_database(url: str) -> None:
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
