"""The one benchmark command: run every benchmark on the national synthetic data and print one table.

    python bench/run.py                      # DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/cchc_national
    python bench/run.py --generate 34        # first build 34 synthetic provinces there (about 2 minutes), 20 indicators
    ONE_PROVINCE_DATABASE_URL=postgres://…/cchc_one python bench/run.py   # the dashboard's figures at 1 and 34 provinces

Each line is a measured operation, its figure, and its ratio to a limit or a baseline measured in the same
run: the dashboard against the raw SQL aggregate it needs, the task list against a bare Django view, the
5,000-row import against openpyxl's read of the same file, the reminder sweep against its 10 s budget,
task updates per second under 20 concurrent clients against a bare view served the same way, and the p95
latency of 20 users updating tasks for 60 seconds (one update a second each) against its 300 ms limit.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cchc_national"
# (name, command, the lines of its output that go into the summary: those containing one of these texts)
STEPS = [
    ("dashboard", ["dashboard.py", "--province-from-synthetic"], ["dashboard of a province", "Tổng quan cả năm"]),
    ("admin change lists", ["admin_changelists.py", "--runs", "3"], ["worst", "over:"]),
    ("exports", ["exports.py"], ["province export", "docx export", "national export"]),
    ("task page history", ["task_history.py"], ["baseline", "after"]),
    ("task list", ["task_list.py"], ["bare Django view", "reviewer (whole province)", "agency staff"]),
    ("import 5,000 rows", ["import_appendix.py"], ["openpyxl read_only", "full import", "through the web"]),
    ("reminder sweep", ["reminders.py", "--queue"], ["sweep total"]),
    ("concurrent task updates", ["load.py", "--clients", "20", "--seconds", "20"], ["task updates:", "req/s"]),
    (
        "20 users for 60 s",
        ["load.py", "--clients", "20", "--seconds", "60", "--think", "1"],
        ["task updates:", "latency"],
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generate", type=int, default=0, help="build N synthetic provinces first")
    parser.add_argument("--only", action="append", help="run only these steps (names as printed)")
    args = parser.parse_args()
    env = {**os.environ, "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DB)}
    python = sys.executable
    if args.generate:
        code = "import sys; sys.path.insert(0, 'bench'); from _django import setup; setup(); from django.core.management import call_command; "
        code += f"call_command('generate_synthetic', '--provinces', '{args.generate}', '--indicators', '20')"
        subprocess.run([python, "-c", code], env=env, cwd=HERE.parent, check=True)
    outputs = []
    for name, command, wanted in STEPS:
        if args.only and name not in args.only:
            continue
        script = HERE / command[0]
        if not script.exists():
            outputs.append((name, [f"(missing {command[0]})"]))
            continue
        print(f"== {name}: python bench/{' '.join(command)}", flush=True)
        step_env = dict(env)
        if name == "dashboard" and os.environ.get("ONE_PROVINCE_DATABASE_URL"):  # the same figures at 1 province
            command = [*command, "--one-province-db", os.environ["ONE_PROVINCE_DATABASE_URL"]]
        if name == "task page history":  # writes a year of reports: a database of its own
            step_env["DATABASE_URL"] = os.environ.get(
                "HISTORY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_bench_history"
            )
        if name == "reminder sweep":  # builds its own 300,000 assignments in a database of its own
            step_env["DATABASE_URL"] = os.environ.get(
                "REMINDERS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_bench_reminders"
            )
            step_env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
        result = subprocess.run(
            [python, str(script), *command[1:]], env=step_env, cwd=HERE.parent, capture_output=True, text=True
        )
        print(result.stdout, end="")
        if result.returncode:
            print(result.stderr[-2000:], file=sys.stderr)
        picked = [line.strip() for line in result.stdout.splitlines() if any(text in line for text in wanted)]
        outputs.append((name, picked or [f"failed ({result.returncode})"]))
    print("\n== summary")
    for name, lines in outputs:
        for index, line in enumerate(lines):
            print(f"{name if index == 0 else '':26} {line}")


if __name__ == "__main__":
    main()
