"""The declared dependencies match the imports: every package pyproject.toml installs is used, every
package the code imports is declared (in the extra it belongs to), and the extras stay optional."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("core", "prompts", "ingest", "retrieval", "brief", "eval")
# probes: scripts/probes, beside probe.py; fit_answerability: the script, tested in place
OWN = {*PROJECT, "app", "tests", "scripts", "probes", "fit_answerability"}

# Installed though nothing imports them, each for a reason.
NOT_IMPORTED = {
    "authlib": "Streamlit's st.login (OpenID Connect) imports it itself",
    "cryptography": "pypdf imports it to open AES-encrypted PDFs",
    "psycopg": "SQLAlchemy loads it for a postgresql+psycopg:// BRIEF_STATE_URL",
}
DEV_TOOLS = {
    "ruff": "the linter and formatter (make lint)",
    "mypy": "the type checker (make lint)",
    "types-pyyaml": "PyYAML's type stubs, for mypy",
    "pytest-asyncio": "runs the async standard tests of langchain-tests (asyncio_mode)",
}
# Import names whose distribution is named otherwise, for when it is not installed here.
DISTRIBUTION_OF = {
    "yaml": "pyyaml",
    "docx": "python-docx",
    "Stemmer": "pystemmer",
    "llama_cpp": "llama-cpp-python",
}


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement line."""
    name = re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> dict[str, set[str]]:
    """Distributions by group: "core" and each extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = {"core": {_name(r) for r in project["dependencies"]}}
    for extra, requirements in project["optional-dependencies"].items():
        groups[extra] = {_name(r) for r in requirements}
    return groups


def _model_packages() -> set[str]:
    """The hash-checked packages of requirements/models.txt and local-llm.txt."""
    names = set()
    for file in ("models.txt", "local-llm.txt"):
        for line in (ROOT / "requirements" / file).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith((" ", "#", "-")):
                names.add(_name(line))
    return names


def _imports(files: list[Path]) -> dict[str, dict[Path, bool]]:
    """Third-party distributions imported by ``files``: for each, the files and whether the
    import is at module level (run on import) rather than inside a function."""
    installed = packages_distributions()
    found: dict[str, dict[Path, bool]] = {}
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {id(n) for n in tree.body} | {
            id(n) for node in tree.body if isinstance(node, ast.If | ast.Try) for n in node.body
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top in OWN or top == "__future__":
                    continue
                dist = _name((installed.get(top) or [DISTRIBUTION_OF.get(top, top)])[0])
                where = found.setdefault(dist, {})
                where[path] = where.get(path, False) or id(node) in top_level
    return found


def _files(*roots: str) -> list[Path]:
    out = []
    for root in roots:
        path = ROOT / root
        out += [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))
    return out


PROJECT_IMPORTS = _imports(_files(*PROJECT, "app.py"))
TEST_IMPORTS = _imports(_files("tests", "scripts"))


def test_every_runtime_dependency_is_imported() -> None:
    groups = _declared()
    runtime = groups["core"] | groups["eval"] | groups["local-llm"]
    unused = sorted(runtime - set(PROJECT_IMPORTS) - set(NOT_IMPORTED))
    assert unused == [], "declared but imported nowhere: remove them or say why in NOT_IMPORTED"


def test_every_import_is_declared() -> None:
    groups = _declared()
    known = groups["core"] | groups["eval"] | groups["local-llm"] | _model_packages()
    undeclared = sorted(set(PROJECT_IMPORTS) - known)
    assert undeclared == [], "imported but not declared in pyproject.toml"
    for_tests = known | groups["dev"]
    assert sorted(set(TEST_IMPORTS) - for_tests) == []


def test_dev_tools_are_used() -> None:
    unused = sorted(_declared()["dev"] - set(TEST_IMPORTS) - set(DEV_TOOLS))
    assert unused == []


def test_evaluation_only_packages_are_in_the_eval_extra() -> None:
    """What only eval/ imports is in the eval extra, and is imported there lazily, so the app
    and `brief eval` itself run without the extra."""
    groups = _declared()
    for dist in groups["eval"]:
        where = PROJECT_IMPORTS[dist]
        assert {p.relative_to(ROOT).parts[0] for p in where} == {"eval"}, dist
        assert not any(where.values()), f"{dist} is imported at module level"
    eval_only = {
        dist
        for dist, where in PROJECT_IMPORTS.items()
        if {p.relative_to(ROOT).parts[0] for p in where} == {"eval"}
    }
    assert eval_only <= groups["eval"]


def test_eval_runs_without_the_eval_extra(small_corpus: Path, tmp_path: Path) -> None:
    """Without matplotlib and the text splitters: a report without charts, saying why; the
    baselines name the extra they need."""
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "- id: t1\n  question: By how much will the herring quota be cut?\n"
        "  category: single_doc\n  answerable: true\n  history: []\n"
        "  gold: [{doc: 2021-03-04-fisheries.md, quote: The two ministers agreed.}]\n"
        "  key_facts: [['12 percent']]\n",
        encoding="utf-8",
    )
    hide = (
        "import sys; sys.modules['matplotlib'] = sys.modules['langchain_text_splitters'] = None; "
        "from brief.cli import main; main()"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEF_")}
    args = ["--questions", str(questions), "--corpus", str(small_corpus)]
    args += ["--data-dir", str(tmp_path / "store")]

    def brief_eval(*more: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", hide, "eval", *args, *more],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )

    plain = brief_eval("--out", str(tmp_path / "run"))
    assert plain.returncode == 0, plain.stderr
    assert "No charts: matplotlib is not installed" in plain.stderr
    assert "No charts: matplotlib is not installed" in (tmp_path / "run" / "report.md").read_text()
    assert not list((tmp_path / "run").glob("*.png"))
    baselines = brief_eval("--out", str(tmp_path / "run2"), "--pipeline")
    assert baselines.returncode == 1
    assert "--pipeline needs the eval extra" in baselines.stderr
