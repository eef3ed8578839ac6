"""Start the compose deployment and check that every service becomes healthy.

Where no Docker engine answers (this project's machines have only the docker client), it says so
and exits 0 ("skipped"): the compose file is still checked statically by tests/test_deployment.py.
Otherwise: creates the secrets if missing (deploy/init-secrets.sh), builds and starts the services
under a project name of its own, waits for each healthcheck, prints one line per service, shows
the end of the logs of any that is not healthy, and removes the containers and volumes it made
(``--keep`` leaves them running). Exit status 1 when a service is not healthy in time.

Usage: python scripts/check_compose.py [--llm] [--timeout 900] [--keep]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "brief-check"


def engine_problem() -> str:
    """Why no Docker engine can be used here; empty when one answers."""
    if shutil.which("docker") is None:
        return "no docker command"
    info = subprocess.run(
        ["docker", "info", "--format", "{{json .ServerVersion}}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if info.returncode != 0 or not info.stdout.strip().strip('"'):
        first = (info.stderr.strip().splitlines() or ["docker info failed"])[-1]
        return f"no Docker engine answers (docker is only a client here: {first})"
    return ""


def compose_command() -> list[str] | None:
    """``docker compose`` (v2) or ``docker-compose``, whichever is installed."""
    for cmd in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(cmd[0]) is None:
            continue
        probe = subprocess.run([*cmd, "version"], capture_output=True, timeout=60, check=False)
        if probe.returncode == 0:
            return cmd
    return None


def health(container: str) -> str:
    """A container's health: starting, healthy, unhealthy, or its state when it has no check."""
    out = subprocess.run(
        ["docker", "inspect", "--format", "{{json .State}}", container],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if out.returncode != 0:
        return "gone"
    state = json.loads(out.stdout)
    if state.get("Health"):
        return str(state["Health"]["Status"])
    return str(state.get("Status", "unknown"))


def main() -> int:
    """Check the deployment; the exit status says how it went."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--llm", action="store_true", help="also the model server (profile llm)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to become healthy")
    parser.add_argument("--keep", action="store_true", help="leave the services running")
    args = parser.parse_args()

    problem = engine_problem()
    if problem:
        print(f"skipped: {problem}; the compose file is checked statically by the tests")
        return 0
    compose = compose_command()
    if compose is None:
        print("error: a Docker engine answers but neither `docker compose` nor `docker-compose` is")
        print("installed: install the compose plugin and run this again")
        return 1
    subprocess.run(["bash", str(ROOT / "deploy" / "init-secrets.sh")], check=True)
    base = [*compose, "--project-name", PROJECT, "--file", str(ROOT / "compose.yaml")]
    if args.llm:
        base += ["--profile", "llm"]
    try:
        subprocess.run([*base, "up", "--detach", "--build"], cwd=ROOT, check=True)
        services = subprocess.run(
            [*base, "config", "--services"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        containers = {
            s: subprocess.run(
                [*base, "ps", "--all", "--quiet", s],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            for s in services
        }
        started = time.monotonic()
        status: dict[str, str] = {}
        while True:
            status = {s: health(c) if c else "not created" for s, c in containers.items()}
            waiting = [s for s, h in status.items() if h in ("starting", "created", "running")]
            if not waiting or time.monotonic() - started > args.timeout:
                break
            time.sleep(5)
        seconds = time.monotonic() - started
        for service, state in sorted(status.items()):
            print(f"{service:>10}: {state}")
        bad = [s for s, h in status.items() if h != "healthy"]
        for service in bad:
            print(f"--- the last lines of {service}'s log:")
            subprocess.run([*base, "logs", "--no-color", "--tail", "40", service], cwd=ROOT)
        if bad:
            print(f"not healthy after {seconds:.0f} s: {', '.join(sorted(bad))}")
            return 1
        print(f"all {len(status)} services healthy after {seconds:.0f} s")
        return 0
    finally:
        if not args.keep:
            subprocess.run([*base, "down", "--volumes", "--remove-orphans"], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
