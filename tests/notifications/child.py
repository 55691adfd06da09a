"""One reminder step in a process of its own, as a worker or a beat would run it; the tests kill it or race it.

    python tests/notifications/child.py deliver <reminder id>
    python tests/notifications/child.py sweep <YYYY-MM-DD>

It sets Django up, prints "ready", waits for "go" on stdin (so that several children start their step at the
same moment), runs the step at the time given in REMINDER_TEST_NOW (time-machine), and prints a JSON line.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
from pathlib import Path

import django
import time_machine

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
    django.setup()
    from cchc_portal.notifications import delivery, services

    step, argument = sys.argv[1], sys.argv[2]
    say("ready")
    if sys.stdin.readline().strip() != "go":
        return
    with time_machine.travel(datetime.datetime.fromisoformat(os.environ["REMINDER_TEST_NOW"]), tick=True):
        if step == "deliver":
            try:
                outcome = delivery.deliver(int(argument)).value
            except delivery.RetryLater:
                outcome = "retry"
            say(json.dumps({"outcome": outcome}))
        elif step == "sweep":
            result = services.run_sweep(datetime.date.fromisoformat(argument))
            say(json.dumps({"claimed": result.claimed, "planned": result.planned}))
        else:
            raise SystemExit(f"unknown step {step!r}")


if __name__ == "__main__":
    main()
