"""The layout's rules, read from the imports: layers import only downward, no cycles, no
module reaches into another's private names, and no module outgrows a reading."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400
PACKAGES = ("core", "prompts", "ingest", "retrieval", "brief", "eval")

# From the bottom up. A module may import its own layer's modules and any lower layer's.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("core", "prompts")),
    ("text", ("retrieval.sentences",)),
    ("store", ("retrieval.store",)),
    ("ingest", ("ingest",)),
    ("search", ("retrieval.search",)),
    ("answer", ("retrieval.answer",)),
    (
        "application",
        (
            "brief.service",
            "brief.access",
            "brief.state",
            "brief.export",
            "brief.local_llm",
        ),
    ),
    ("evaluation", ("eval",)),
    ("front ends", ("brief.cli", "brief.api", "brief.web", "app")),
]
# Layers that sit side by side: neither imports the other.
APART = {("ingest", "search"), ("search", "ingest")}


def modules() -> dict[str, Path]:
    """Every module of the project (tests and scripts left out) by dotted name."""
    found = {"app": ROOT / "app.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> list[tuple[str, list[str]]]:
    """The project modules ``name`` imports, each with the names it takes from it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[tuple[str, list[str]]]
        if isinstance(node, ast.Import):
            targets = [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            targets = []
            for alias in node.names:
                full = f"{base}.{alias.name}"
                targets.append((full, []) if full in known else (base, [alias.name]))
        else:
            continue
        for target, names in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.append((target, names))
    return out


def layer_of(name: str) -> tuple[int, str]:
    """The layer a module belongs to (the longest matching prefix)."""
    best: tuple[int, str, int] | None = None
    for rank, (layer, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and (
                best is None or len(prefix) > best[2]
            ):
                best = (rank, layer, len(prefix))
    if best is None and name in ("retrieval", "brief"):
        return -1, "namespace"
    assert best is not None, f"{name} is in no layer: add it to LAYERS"
    return best[0], best[1]


GRAPH = {name: imports(name, path, set(modules())) for name, path in sorted(modules().items())}


def test_every_module_has_a_layer() -> None:
    for name in GRAPH:
        layer_of(name)


def test_layers_import_only_downward() -> None:
    wrong = []
    for name, targets in GRAPH.items():
        rank, layer = layer_of(name)
        for target, _ in targets:
            target_rank, target_layer = layer_of(target)
            if target_rank > rank or (layer, target_layer) in APART:
                wrong.append(f"{name} ({layer}) imports {target} ({target_layer})")
    assert wrong == []


def test_no_import_cycles() -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w, _ in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            visit(v)
    assert cycles == []


def test_nothing_private_is_imported_across_modules() -> None:
    private = [
        f"{name} takes {n} from {target}"
        for name, targets in GRAPH.items()
        for target, names in targets
        for n in names
        if n.startswith("_")
    ]
    assert private == []


def test_ingest_does_not_import_answering_code() -> None:
    reached = {
        target
        for name, targets in GRAPH.items()
        if name.startswith("ingest")
        for target, _ in targets
    }
    assert not [
        t for t in reached if t.startswith(("retrieval.answer", "retrieval.search", "brief"))
    ]


def test_a_broken_rule_is_caught(tmp_path: Path) -> None:
    """The reader sees an upward import and a private name (the rules can fail)."""
    fake = tmp_path / "fake.py"
    fake.write_text("from retrieval.answer.extractive import _hidden, ExtractiveAnswerer\n")
    found = imports("retrieval.store.fake", fake, set(modules()))
    assert found == [
        ("retrieval.answer.extractive", ["_hidden"]),
        ("retrieval.answer.extractive", ["ExtractiveAnswerer"]),
    ]
    assert layer_of("retrieval.answer.extractive")[0] > layer_of("retrieval.store.fake")[0]


@pytest.mark.parametrize("name", sorted(GRAPH))
def test_modules_stay_small(name: str) -> None:
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines: split it by what it does"


def test_importing_the_core_does_no_work() -> None:
    """Nothing happens at import time: importing every module of the core stems no word (the
    stemmer, like the models, is loaded at first use). Run in a fresh interpreter; Alembic's
    migration scripts and ``__main__`` are scripts, run by their tools."""
    code = (
        "import importlib, pkgutil, sys\n"
        "import retrieval.store.lexical as lexical\n"
        "for package in ('core', 'ingest', 'retrieval', 'brief'):\n"
        "    root = importlib.import_module(package)\n"
        "    for info in pkgutil.walk_packages(root.__path__, package + '.'):\n"
        "        if '.migrations' not in info.name and not info.name.endswith('__main__'):\n"
        "            importlib.import_module(info.name)\n"
        "print(lexical._stemmer.cache_info().currsize, 'Stemmer' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["0", "False"]
