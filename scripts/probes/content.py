"""Probes of what documents may do to a reader (issue 17, items 3, 4 and 5): bare addresses that
would become links, terminal escape sequences, and a file with an impossible date."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from probes import BRIEF, Result, Target, brief, call_json, check, clean_env, traceback_in

LINK_QUESTION = "What did the harbour committee approve at Cape Orm?"
HOSTILE_QUESTION = "When will the north channel be dredged?"

# GFM's extended autolinks (cmark-gfm autolink.c), found in the text left after Markdown escapes
# are read: a scheme after a non-letter, "www." after a space or *_~( , or an e-mail address.
_AUTOLINK = re.compile(
    r"(?<![A-Za-z])(?:https?|ftp)://[^\s<]+"
    r"|(?:^|(?<=[\s*_~(]))www\.[^\s<]+"
    r"|[A-Za-z0-9.+_-]+@[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+",
    re.MULTILINE,
)


def markdown_links(markdown: str) -> list[str]:
    """Every address a GFM renderer would make a link of: CommonMark links and autolinks (by
    markdown-it) and GFM's extended autolinks in the text tokens."""
    from markdown_it import MarkdownIt

    found = []
    for block in MarkdownIt("commonmark").enable("strikethrough").parse(markdown):
        for token in block.children or []:
            if token.type == "link_open":
                found.append(str(token.attrGet("href")))
            elif token.type == "text":
                found += _AUTOLINK.findall(token.content)
    return found


def _only_source_links(links: list[str], source_url: str) -> list[str]:
    """The links that are not the document's source_url (GFM trims trailing punctuation)."""
    trimmed = (u.rstrip(".,:;!?*_~'\")") for u in links)
    return list(dict.fromkeys(u for u in trimmed if u != source_url))


def docx_links(data: bytes) -> list[str]:
    """Targets of every hyperlink of a .docx: relationships, w:hyperlink and HYPERLINK fields."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            xml = zf.read(name).decode("utf-8", "replace")
            found += re.findall(r'Type="[^"]*/hyperlink"[^>]*Target="([^"]*)"', xml)
            found += re.findall(r"HYPERLINK\s+&quot;([^&]*)&quot;|HYPERLINK\s+\"([^\"]*)", xml)
            found += ["w:hyperlink"] * xml.count("<w:hyperlink")
    return [u if isinstance(u, str) else next(x for x in u if x) for u in found]


def live_links(target: Target) -> list[Result]:
    """Item 3: a bare address in a title or issuer is no link in the app; exports link only
    source_url."""
    if target.data_dir is None:
        return [Result("3 live links", None, "needs the probe's own store (run without --url)")]
    from brief.export import answer_docx, answer_markdown
    from brief.web.markup import answer_markdown as app_answer_markdown
    from brief.web.markup import escape
    from core.answers import Answer

    status, body = call_json(target, "/v1/ask", body={"question": LINK_QUESTION})
    answer = Answer.model_validate(body)
    cited = [c for c in answer.citations if "https://" in c.title]
    if status != 200 or not cited:
        return [Result("3 live links", False, f"the linked statement was not cited ({status})")]
    c = cited[0]
    if not (markdown_links(c.title) and markdown_links(c.issuer)):
        return [Result("3 live links", False, "the link finder misses the bare addresses")]
    app = "\n\n".join(
        [
            app_answer_markdown(answer.text),
            f"**[{c.n}] {escape(c.title)}**",
            escape(" · ".join([c.issuer, c.date_label, c.section])),
            f":orange-background[{escape(c.quote)}]",
        ]
    )
    results = [
        check(
            "3 live links: the app",
            [f"links in the app's Markdown: {u}" for u in markdown_links(app)],
            "title, issuer, quote and answer escaped: no link, no autolink",
        )
    ]
    problems = []
    exported = answer_markdown(answer)
    if links := _only_source_links(markdown_links(exported), c.source_url):
        problems.append(f"the Markdown export links {', '.join(links)}")
    if links := _only_source_links(docx_links(answer_docx(answer)), c.source_url):
        problems.append(f"the .docx links {', '.join(links)}")
    results.append(
        check("3 live links: Markdown and .docx exports", problems, "only source_url is a link")
    )
    return results


def in_terminal(cmd: list[str], env: dict[str, str], timeout: float = 180) -> bytes:
    """What ``cmd`` writes to a terminal (a pseudo-terminal as its stdout and stderr)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    out, deadline = b"", time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if select.select([master], [], [], 0.5)[0]:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the command closed the terminal
                    break
                if not data:
                    break
                out += data
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    return out


def terminal_escapes(target: Target) -> list[Result]:
    """Item 4: `brief ask` never prints a document's ESC or BEL bytes (terminal, --markdown,
    piped, --json)."""
    if target.data_dir is None:
        return [Result("4 terminal escapes", None, "needs the probe's own store (--url)")]
    base = [BRIEF, "ask", HOSTILE_QUESTION, "--data-dir", str(target.data_dir)]
    outputs: dict[str, bytes] = {
        "terminal": in_terminal(base, target.env),
        "--markdown in a terminal": in_terminal([*base, "--markdown"], target.env),
    }
    for name, extra in (("piped", []), ("--json piped", ["--json"])):
        out = brief(target, "ask", HOSTILE_QUESTION, *extra)
        outputs[name] = out.stdout + out.stderr
    problems = []
    for name, data in outputs.items():
        text = data.decode("utf-8", "replace")
        bad = [b for b in ("\x1b", "\x07", "\x9b") if b in text]
        if bad:
            problems.append(f"{name}: raw {', '.join(repr(b) for b in bad)}")
        # JSON escapes it its way; Markdown escapes the bracket after it (link syntax).
        shown = {"--json piped": ("\\u001b]0;",), "--markdown in a terminal": ("\\x1b\\]0;",)}
        if not any(s in text for s in shown.get(name, ("\\x1b]0;",))):
            problems.append(f"{name}: the hostile quote is not shown ({text.strip()[:120]!r})")
        if traceback_in(text):
            problems.append(f"{name}: a traceback")
    return [check("4 terminal escapes", problems, f"{', '.join(outputs)}: escapes shown as \\x1b")]


BAD_DATE = "bad-date.md"


def bad_date(target: Target) -> list[Result]:
    """Item 5: one impossible date in a folder: `brief ingest` names the file, ingests the rest."""
    files = {
        "good-one.md": ("2024-02-01", "The council approved the new ferry timetable for winter."),
        BAD_DATE: ("2025-13-45", "The council postponed the bridge inspection to the spring."),
        "good-two.md": ("2024-03-01", "The council opened the harbour museum to school groups."),
    }
    with tempfile.TemporaryDirectory(prefix="brief-probe-date-") as tmp:
        folder, store = Path(tmp) / "batch", Path(tmp) / "store"
        folder.mkdir()
        for name, (date, text) in files.items():
            front = f'---\ntitle: "Council Notice {name}"\nissuer: "Town Council"\ndate: {date}\n'
            (folder / name).write_text(f"{front}---\n\n{text}\n", encoding="utf-8")
        env = clean_env()
        done = subprocess.run(
            [BRIEF, "ingest", str(folder), "--data-dir", str(store)],
            env=env,
            capture_output=True,
            timeout=300,
            check=False,
        )
        listed = subprocess.run(
            [BRIEF, "docs", "--json", "--data-dir", str(store)],
            env=env,
            capture_output=True,
            timeout=300,
            check=False,
        )
    said = (done.stdout + done.stderr).decode("utf-8", "replace")
    rows: list[dict[str, Any]] = json.loads(listed.stdout) if listed.returncode == 0 else []
    ids = {r["doc_id"] for r in rows}
    problems = []
    lines = [line for line in said.splitlines() if BAD_DATE in line]
    if not lines:
        problems.append(f"the output does not name {BAD_DATE}: {said.strip()[:200]!r}")
    if not {"good-one.md", "good-two.md"} <= ids:
        problems.append(f"the good files were not all ingested: {sorted(ids)}")
    if traceback_in(said):
        problems.append("a traceback")
    detail = f"exit {done.returncode}; '{lines[0].strip() if lines else ''}'; stored: {sorted(ids)}"
    return [check("5 one bad date in a folder", problems, detail)]
