"""Issue 17's probes, from the outside: runs each one against `brief serve` and the `brief`
command and prints ``PASS name — detail`` or ``FAIL name — detail`` per probe, then a summary;
exit status 1 when any fails.

By default it builds everything in a temporary folder with the `brief` command, as a new user
would: a store of small invented statements (some for group team-a, one for team-b holding a word
nothing else holds, one with bare addresses in its title and issuer, one with terminal escape
sequences) and a few of ../shared/corpus; tokens with `brief token create`; a scripted
OpenAI-compatible endpoint on 127.0.0.1 (tests/scripted_openai.py); `brief serve` on a free port,
pointed at it. Everything is stopped at the end.

With ``--url`` (and ``--token``, or BRIEF_API_TOKEN) it probes a running server instead: the
probes that need the probe's own statements, tokens or model endpoint are skipped.

  1 a word only another group's statement holds reads like a made-up one (ask, timeline,
    documents, doctor)
  2 `brief serve`: tokens, revocation, Host/Origin, Content-Length, body size, 200 connections
  3 bare addresses in a title or issuer are no links (app, Markdown and .docx exports)
  4 terminal escape sequences from a document never reach the terminal
  5 one impossible date in a folder: the file is named, the others are ingested
  6 bad model replies (HTML, broken stream, cut stream, hanging, unsupported) end in quotes
  7 `brief serve-llm` stopped by SIGTERM leaves no child and frees its port (--with-model-server)
  8 `brief docs` and `brief doctor` work while `brief serve` runs

Usage: .venv/bin/python scripts/probe.py [--with-model-server] [--url URL --token TOKEN]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "scripts"):  # the project's packages, `tests` and `probes`
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from probes import Probe, Result, Target, clean_env, content, guarded, model, server  # noqa: E402

PROBES: list[tuple[str, Probe]] = [
    ("1 word oracle", server.word_oracle),
    ("2 serve: no token", server.no_token),
    ("2 serve: group tokens", server.group_tokens),
    ("2 serve: revoked token", server.revoked_token),
    ("2 serve: Host and Origin", server.hosts_and_origins),
    ("2 serve: Content-Length", server.malformed_length),
    ("2 serve: oversize body", server.oversize),
    ("2 serve: 200 connections", server.many_clients),
    ("3 live links", content.live_links),
    ("4 terminal escapes", content.terminal_escapes),
    ("5 one bad date", content.bad_date),
    ("6 bad model replies", model.bad_replies),
    ("8 docs and doctor while serving", server.served_commands),
]


def skip_model_server(target: Target) -> list[Result]:
    """Item 7 when --with-model-server is not given."""
    return [Result("7 serve-llm stop", None, "pass --with-model-server to run it")]


def run(target: Target, with_model_server: bool) -> list[Result]:
    """Every probe against ``target``, each result printed as it comes."""
    results = []
    stop = model.model_server_stop if with_model_server else skip_model_server
    probes = [*PROBES[:-1], ("7 serve-llm stop", stop), PROBES[-1]]
    for name, probe in probes:
        started = time.monotonic()
        for result in guarded(name, partial(probe, target)):
            print(result.line(), f"[{time.monotonic() - started:.1f} s]", flush=True)
            results.append(result)
    return results


def main() -> int:
    """Parse the options, run the probes, print the summary: the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running `brief serve` (default: start one here)")
    parser.add_argument("--token", default=os.environ.get("BRIEF_API_TOKEN", ""))
    parser.add_argument(
        "--with-model-server",
        action="store_true",
        help="also probe `brief serve-llm` (needs llama-cpp-python; slow)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    started = time.monotonic()
    if args.url:
        if not args.token:
            parser.error("--url needs --token (or BRIEF_API_TOKEN)")
        url = args.url.rstrip("/")
        env = clean_env({"BRIEF_API_URL": url, "BRIEF_API_TOKEN": args.token})
        with tempfile.TemporaryDirectory(prefix="brief-probe-") as tmp:
            env["BRIEF_DATA_DIR"] = tmp
            results = run(Target(url=url, token=args.token, env=env), args.with_model_server)
    else:
        from probes.fixture import local_target

        work = Path(tempfile.mkdtemp(prefix="brief-probe-"))
        log: list[str] = []
        try:
            with local_target(work, log) as target:
                print("\n".join(log), flush=True)
                results = run(target, args.with_model_server)
        finally:
            print(log[-1] if log else "set-up failed", flush=True)
            if args.keep:
                print(f"kept {work}")
            else:
                import shutil

                shutil.rmtree(work, ignore_errors=True)
    failed = [r for r in results if r.ok is False]
    passed = sum(r.ok is True for r in results)
    skipped = sum(r.ok is None for r in results)
    print(
        f"{'FAIL' if failed else 'PASS'}: {passed} passed, {len(failed)} failed, "
        f"{skipped} skipped in {time.monotonic() - started:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
