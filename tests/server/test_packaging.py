"""The server's container files, checked by reading them (Docker cannot run here): the compose file is valid YAML
describing app + PostgreSQL 15 with healthchecks and env-based settings; the Dockerfile installs the `server` extra
with the lock file as constraints, runs `racetrace-server` as a non-root user, and ships what the server needs."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
DOCKERFILE = PACKAGING / "server.Dockerfile"
COMPOSE = PACKAGING / "compose.yaml"


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def final_stage() -> list[tuple[str, str]]:
    steps = dockerfile_instructions()
    last_from = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[last_from:]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_runs_the_app_against_postgresql_15_with_healthchecks(compose):
    services = compose["services"]
    assert set(services) == {"app", "db"}
    db, app = services["db"], services["app"]
    assert db["image"].startswith("postgres:15")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "/health" in " ".join(app["healthcheck"]["test"])
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert (PACKAGING / app["build"]["context"] / app["build"]["dockerfile"]).resolve() == DOCKERFILE


def test_compose_configures_the_app_from_the_environment_and_requires_secrets(compose):
    env = compose["services"]["app"]["environment"]
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://racetrace:")
    assert "@db:5432/racetrace" in env["DATABASE_URL"]
    assert env["ENVIRONMENT"] == "production"
    # No default secret: compose refuses to start without them (${VAR:?message}).
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert compose["services"]["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    for name in ("GOOGLE_CLIENT_ID", "GITHUB_CLIENT_ID", "MAX_UPLOAD_SIZE_MB", "COOKIE_SECURE"):
        assert name in env
    from sync_server.settings import Settings

    known = {name.upper() for name in Settings.model_fields}
    uvicorn_own = {"FORWARDED_ALLOW_IPS"}
    assert set(env) - known - uvicorn_own == set(), "compose sets variables the server does not read"


def test_compose_hardens_the_app_container(compose):
    app = compose["services"]["app"]
    assert app["read_only"] is True
    assert app["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in app["security_opt"]
    assert app["command"][0] == "serve"


def test_dockerfile_installs_the_server_extra_with_the_lock_file_as_constraints():
    runs = " ".join(args for op, args in dockerfile_instructions() if op == "RUN")
    install = next(cmd for cmd in runs.split("&&") if "pip install" in cmd)
    words = shlex.split(install)
    assert words[words.index("-c") + 1] == "packaging/requirements.lock"
    assert '.[server]' in words
    assert dockerfile_instructions()[0] == ("FROM", "python:3.11-slim-bookworm AS build")


def test_dockerfile_runs_racetrace_server_as_a_non_root_user():
    stage = final_stage()
    ops = [op for op, _ in stage]
    user = [args for op, args in stage if op == "USER"]
    assert user and not user[-1].startswith(("root", "0"))
    assert ops.index("USER") < ops.index("ENTRYPOINT")
    entrypoint = dict(stage)["ENTRYPOINT"]
    assert entrypoint == '["racetrace-server"]'
    assert "HEALTHCHECK" in ops and "EXPOSE" in ops
    assert '"--host", "0.0.0.0"' in dict(stage)["CMD"]


def test_dockerfile_copies_exist_and_cover_what_the_package_build_reads():
    copies = [args.split() for op, args in dockerfile_instructions() if op == "COPY" and "--from" not in args]
    sources = [source for parts in copies for source in parts[:-1]]
    for source in sources:
        assert (ROOT / source).exists(), f"COPY source {source} is missing from the repository"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["readme"] in sources  # setuptools reads it while building the wheel
    assert "racetrace-server" in project["scripts"]
    ignore = (PACKAGING / "server.Dockerfile.dockerignore").read_text().splitlines()
    for source in sources:
        assert f"!{source.rstrip('/')}/" in ignore or f"!{source}" in ignore, f"{source} is excluded by .dockerignore"


def test_the_server_package_ships_its_templates_static_files_and_migrations(tmp_path):
    """Build the package the way the image does (setuptools build_py) from a copy of the sources."""
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "sync_server", tmp_path / "sync_server", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py", "--build-lib", str(out)],
        cwd=tmp_path, check=True, capture_output=True,
    )
    package = out / "sync_server"
    expected = {
        p.relative_to(ROOT / "sync_server")
        for pattern in ("web/templates/**/*.html", "web/static/*", "migrations/versions/*.py", "migrations/*.mako")
        for p in (ROOT / "sync_server").glob(pattern)
    }
    assert expected, "nothing to check"
    missing = sorted(str(p) for p in expected if not (package / p).is_file())
    assert missing == []
