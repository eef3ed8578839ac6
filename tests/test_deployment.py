"""The compose deployment, checked without Docker: every service has a healthcheck, the settings
it sets exist, no secret is written in it, the images are pinned as the project pins them, and
the commands of the compose file and the Dockerfile exist in the project."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import click
import yaml

from brief.cli import main as brief_cli
from core.settings import unknown_keys

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
ENV_EXAMPLE = ROOT / "deploy" / "brief.env.example"

SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|API_KEY|STATE_URL", re.IGNORECASE)


def _own(service: dict[str, Any]) -> bool:
    """Whether a service runs this project's image (built from the Dockerfile)."""
    return "build" in service


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _env_file_names() -> list[str]:
    names = []
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.lstrip("# ").strip()
        if re.match(r"^[A-Z][A-Z0-9_]*=", line):
            names.append(line.split("=", 1)[0])
    return names


def _check_brief_command(argv: list[str]) -> list[str]:
    """What is wrong with a ``brief ...`` command line (empty: it exists)."""
    assert argv[0] == "brief", argv
    ctx = click.Context(brief_cli)
    command = brief_cli.get_command(ctx, argv[1]) if len(argv) > 1 else None
    if command is None:
        return [f"no command brief {argv[1:]}"]
    options = {opt for p in command.params for opt in [*p.opts, *p.secondary_opts]}
    return [
        f"brief {argv[1]} has no option {arg}"
        for arg in argv[2:]
        if arg.startswith("--") and arg not in options
    ]


def test_the_services_are_there_and_each_has_a_healthcheck() -> None:
    assert {"app", "api", "chroma", "postgres"} <= set(SERVICES)
    assert SERVICES["llm"]["profiles"] == ["llm"]  # optional
    for name, service in SERVICES.items():
        check = service.get("healthcheck") or {}
        assert check.get("test"), f"{name} has no healthcheck"
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert not check.get("disable"), name


def test_the_settings_set_are_real_settings() -> None:
    names = set(_env_file_names())
    for service in SERVICES.values():
        if _own(service):
            names |= set(_environment(service))
    brief_names = {n for n in names if n.startswith("BRIEF_")}
    assert {"BRIEF_CHROMA_URL", "BRIEF_DATA_DIR", "BRIEF_STATE_URL"} <= brief_names
    assert "BRIEF_LLM_BASE_URL" in brief_names  # in the example, for the model server
    unknown = set(unknown_keys(dict.fromkeys(brief_names, "")))
    assert unknown == set(), "not settings (core/settings.py)"


def test_no_secret_is_written_in_the_compose_file() -> None:
    for name, service in SERVICES.items():
        for key, value in _environment(service).items():
            if SECRET_NAME.search(key) and not key.endswith("_FILE"):
                raise AssertionError(f"{name}: {key} belongs in deploy/brief.env or a secret")
            assert "://" not in value or "@" not in value, f"{name}: credentials in {key}"
    for name in ("app", "api"):  # their secrets come from the env file
        assert SERVICES[name]["env_file"] == "deploy/brief.env", name
    postgres = _environment(SERVICES["postgres"])
    assert postgres["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    assert COMPOSE["secrets"]["postgres_password"]["file"] == "deploy/secrets/postgres_password"
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"deploy/brief.env", "deploy/secrets/"} <= set(ignored)
    dockerignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert {"deploy", ".env", "data"} <= set(dockerignored)


def test_images_are_pinned_as_the_project_pins_them() -> None:
    constraints = (ROOT / "requirements" / "constraints.txt").read_text(encoding="utf-8")
    pinned = re.search(r"^chromadb==(\S+)$", constraints, re.MULTILINE)
    assert pinned is not None
    assert SERVICES["chroma"]["image"] == f"chromadb/chroma:{pinned.group(1)}"
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    [spec] = [d for d in deps["dependencies"] if d.startswith("chromadb")]
    lowest = re.search(r">=([\d.]+)", spec)
    assert lowest is not None

    def version(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split("."))

    assert version(lowest.group(1)) <= version(pinned.group(1))
    assert SERVICES["postgres"]["image"] == "postgres:16"
    assert DOCKERFILE.startswith("#")
    assert re.search(r"^FROM python:3\.11-slim AS app$", DOCKERFILE, re.MULTILINE)


def test_the_commands_exist_in_the_project() -> None:
    wrong = []
    for name, service in SERVICES.items():
        if _own(service):
            wrong += _check_brief_command(service["command"])
            target = service["build"]["target"]
            assert re.search(rf"^FROM \S+ AS {target}$", DOCKERFILE, re.MULTILINE), name
    for line in re.findall(r"^CMD (\[.*\])$", DOCKERFILE, re.MULTILINE):
        wrong += _check_brief_command(json.loads(line))
    assert wrong == []


def test_the_dockerfile_installs_what_setup_installs() -> None:
    # Every source it copies exists, and together they are the packages pyproject builds.
    copied = set()
    for sources in re.findall(r"^COPY (.+) \S+$", DOCKERFILE, re.MULTILINE):
        for source in sources.split():
            assert (ROOT / source).exists(), source
            copied.add(source.rstrip("/"))
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    packages = {p.split(".")[0] for p in tool["setuptools"]["packages"]}
    modules = {f"{m}.py" for m in tool["setuptools"]["py-modules"]}
    assert packages | modules | {"pyproject.toml", "README.md", "requirements"} == copied
    # The requirement files it installs exist and are installed as setup.sh installs them.
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    for file in re.findall(r"requirements/[\w.-]+\.txt", DOCKERFILE):
        assert (ROOT / file).is_file(), file
        if file != "requirements/constraints.txt":
            assert f"--no-deps --require-hashes -r {file}" in DOCKERFILE, file
            assert f"--no-deps --require-hashes -r {file}" in setup, file
    # The modules its RUN lines execute or import exist.
    for module in re.findall(r"python -m ([\w.]+)", DOCKERFILE):
        assert importlib.util.find_spec(module) is not None, module
    for statement in re.findall(r"python -c '([^']+)'", DOCKERFILE):
        found = re.match(r"from ([\w.]+) import (\w+)", statement)
        assert found is not None, statement
        module = importlib.import_module(found.group(1))
        assert hasattr(module, found.group(2)), statement


def test_init_secrets_writes_consistent_private_files(tmp_path: Path) -> None:
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    for file in ("init-secrets.sh", "brief.env.example"):
        (deploy / file).write_bytes((ROOT / "deploy" / file).read_bytes())
    subprocess.run(["bash", str(deploy / "init-secrets.sh")], check=True, capture_output=True)
    password = (deploy / "secrets" / "postgres_password").read_text().strip()
    env = (deploy / "brief.env").read_text()
    assert len(password) == 48
    assert f"postgresql+psycopg://brief:{password}@postgres:5432/brief" in env
    token = re.search(r"^BRIEF_API_TOKEN=(\w+)$", env, re.MULTILINE)
    assert token is not None
    assert len(token.group(1)) == 48
    assert "@" not in token.group(1)
    assert stat.S_IMODE((deploy / "brief.env").stat().st_mode) == 0o600
    assert stat.S_IMODE((deploy / "secrets").stat().st_mode) == 0o700
    # A second run keeps them.
    subprocess.run(["bash", str(deploy / "init-secrets.sh")], check=True, capture_output=True)
    assert (deploy / "brief.env").read_text() == env


def test_the_check_script_skips_without_a_docker_engine(tmp_path: Path) -> None:
    """A docker client whose engine does not answer (as on this project's machines)."""
    fake = tmp_path / "bin" / "docker"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\necho 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' >&2"
        "\nexit 1\n"
    )
    fake.chmod(0o755)
    env = dict(os.environ, PATH=f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_compose.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("skipped: no Docker engine answers")
    assert "Cannot connect to the Docker daemon" in run.stdout
