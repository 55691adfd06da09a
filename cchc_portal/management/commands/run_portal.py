"""Serve the portal on 127.0.0.1:8000 together with its Celery worker and beat (what `make run` ends with)."""

from __future__ import annotations

import signal
import subprocess  # noqa: S404 - we start our own worker and beat, with fixed arguments
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Chạy cổng (http://127.0.0.1:8000) cùng Celery worker và beat; Ctrl+C để dừng cả ba."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, addr: str, **options):
        celery = [sys.executable, "-m", "celery", "-A", "cchc_portal"]
        # One worker process is enough for a province; "solo" keeps the file-system broker simple.
        children = [
            subprocess.Popen([*celery, "worker", "--loglevel=INFO", "--pool=solo"]),  # noqa: S603
            subprocess.Popen([*celery, "beat", "--loglevel=INFO"]),  # noqa: S603
        ]
        self.stdout.write(self.style.SUCCESS(f"Cổng CCHC: http://{addr}/  (worker và beat đang chạy)"))
        try:
            call_command("runserver", addr, use_reloader=False)
        finally:
            for child in children:
                child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
