"""docker-compose.yml and the Dockerfile say what the README promises. There is no Docker engine on the development
machines or in CI, so these files are read, not run: the services, images, commands, health checks and the
settings they need are checked here."""

from __future__ import annotations

import re

import yaml

from tests.production.support import BASE_DIR

COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
PORTAL = ("migrate", "web", "worker", "beat")  # the services that run the portal's image
ENV_EXAMPLE = set(re.findall(r"^([A-Z_]+)=", (BASE_DIR / ".env.example").read_text(), re.M))


def test_the_services_are_the_portal_postgresql_15_and_redis_7():
    assert set(SERVICES) == {"migrate", "web", "worker", "beat", "db", "redis"}
    assert SERVICES["db"]["image"] == "postgres:15"
    assert SERVICES["redis"]["image"] == "redis:7"
    for name in PORTAL:
        assert SERVICES[name]["build"] == "."
        assert SERVICES[name]["env_file"] == ".env"
        assert SERVICES[name]["environment"]["DATABASE_URL"].startswith("postgres://cchc:")
        assert SERVICES[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert "media:/app/var/media" in SERVICES[name]["volumes"]


def test_each_service_runs_the_right_program():
    assert SERVICES["web"]["command"] == ["gunicorn", "cchc_portal.wsgi", "-c", "gunicorn.conf.py"]
    assert SERVICES["worker"]["command"][:4] == ["celery", "-A", "cchc_portal", "worker"]
    assert SERVICES["beat"]["command"][:4] == ["celery", "-A", "cchc_portal", "beat"]
    assert SERVICES["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert (BASE_DIR / "gunicorn.conf.py").is_file()


def test_exactly_one_beat():
    assert SERVICES["beat"]["deploy"]["replicas"] == 1
    assert all("beat" not in " ".join(SERVICES[name]["command"]) for name in ("web", "worker", "migrate"))


def test_the_broker_never_evicts_and_keeps_its_queue():
    command = SERVICES["redis"]["command"]
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"
    assert command[command.index("--appendonly") + 1] == "yes"
    assert "redisdata:/data" in SERVICES["redis"]["volumes"]


def test_health_checks_and_start_order():
    for name in ("web", "worker", "beat", "db", "redis"):
        assert SERVICES[name]["healthcheck"]["test"], name
    for name in ("web", "worker", "beat"):
        needs = SERVICES[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully"
        assert needs["db"]["condition"] == needs["redis"]["condition"] == "service_healthy"
    assert SERVICES["migrate"]["restart"] == "no"
    # Only nginx on the same machine reaches gunicorn.
    assert SERVICES["web"]["ports"] == ["127.0.0.1:8000:8000"]


def test_every_variable_the_compose_file_reads_is_in_env_example():
    text = (BASE_DIR / "docker-compose.yml").read_text()
    interpolated = set(re.findall(r"\$\{([A-Z_]+)", text))
    set_here = {key for name in PORTAL for key in SERVICES[name]["environment"]}
    assert interpolated | set_here <= ENV_EXAMPLE, (interpolated | set_here) - ENV_EXAMPLE


def test_the_image_paths_survive_the_env_file():
    """env_file wins over the image's ENV, and .env.example lists STATIC_ROOT= (empty): compose sets them again."""
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    image_env = dict(re.findall(r"^\s*(?:ENV\s+)?([A-Z_]+)=(\S+?)\s*\\?$", dockerfile.split("WORKDIR")[0], re.M))
    assert {"DATA_DIR", "STATIC_ROOT", "GUNICORN_BIND"} <= set(image_env)
    for name in PORTAL:
        environment = SERVICES[name]["environment"]
        for variable, value in image_env.items():
            if variable in ENV_EXAMPLE:
                assert environment[variable] == value, (name, variable)


def test_the_dockerfile_builds_a_non_root_image_with_static_files():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    instructions = [line.split(None, 1) for line in dockerfile.splitlines() if line and not line.startswith((" ", "#"))]
    assert instructions[0] == ["FROM", "python:3.11-slim"]
    assert "pip install -r requirements.txt" in dockerfile
    assert "manage.py collectstatic --noinput" in dockerfile
    users = [args for keyword, args in instructions if keyword == "USER"]
    assert users == ["cchc"]
    # USER comes after every RUN: nothing runs as root once the image is built.
    order = [keyword for keyword, _args in instructions]
    assert order.index("USER") > max(i for i, keyword in enumerate(order) if keyword == "RUN")
    assert instructions[-1][0] == "CMD" and "gunicorn" in instructions[-1][1]


def test_secrets_and_local_data_stay_out_of_the_image():
    ignored = {line.strip() for line in (BASE_DIR / ".dockerignore").read_text().splitlines()}
    assert {".env", ".git", ".venv", "var", "backups"} <= ignored


def pinned(name: str) -> set[str]:
    lines = [line for line in (BASE_DIR / name).read_text().splitlines() if line and not line.startswith(("#", "-r "))]
    assert all(re.fullmatch(r"[A-Za-z0-9_.\[\]-]+==[A-Za-z0-9_.]+", line) for line in lines), lines
    return {line.split("==")[0].lower() for line in lines}


def test_requirements_are_pinned_and_production_carries_no_test_tools():
    production, development = pinned("requirements.txt"), pinned("requirements-dev.txt")
    assert {
        "django-csp",
        "django-axes",
        "django-ipware",
        "gunicorn",
        "whitenoise",
        "django-permissions-policy",
    } <= production
    assert {"pytest", "pytest-django", "playwright", "hypothesis", "ruff", "pyyaml", "time-machine"} <= development
    assert not production & {"pytest", "pytest-django", "pytest-xdist", "playwright", "hypothesis", "ruff", "aiosmtpd"}
    assert (BASE_DIR / "requirements-dev.txt").read_text().splitlines()[1] == "-r requirements.txt"
    assert "requirements-dev.txt" in (BASE_DIR / "Makefile").read_text()
