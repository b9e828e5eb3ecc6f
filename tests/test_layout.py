"""The package's layout keeps its promises: light imports, and import rules that a broken import breaks."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
ML_LIBRARIES = ("tensorflow", "keras")


def modules_loaded_by(statement: str) -> set[str]:
    """Top-level module names present after running one import statement in a fresh interpreter."""
    code = f"{statement}\nimport sys\nprint(' '.join(sorted({{name.split('.')[0] for name in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return set(result.stdout.split())


@pytest.mark.parametrize(
    "statement",
    [
        "import helpers",
        "import helpers.abc.reader, helpers.abc.structure",
        "import helpers.corpus.load, helpers.corpus.clean, helpers.corpus.split, helpers.corpus.vocab",
        "import helpers.corpus.stats",
        "import helpers.analysis.checks",
    ],
)
def test_light_modules_load_no_tensorflow(statement):
    loaded = modules_loaded_by(statement)
    assert not loaded & set(ML_LIBRARIES), f"{statement!r} loaded {sorted(loaded & set(ML_LIBRARIES))}"


def test_the_check_sees_tensorflow_when_it_is_loaded():
    assert "tensorflow" in modules_loaded_by("import helpers.rnn.train")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run import-linter with the project's contracts on the package found under root."""
    env = {"PATH": str(LINT_IMPORTS.parent), "PYTHONPATH": str(root), "HOME": str(root)}
    return subprocess.run([str(LINT_IMPORTS)], cwd=root, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def project_copy(tmp_path):
    """The package and its pyproject.toml (where the contracts live), copied to a scratch folder."""
    shutil.copytree(ROOT / "helpers", tmp_path / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_import_rules_hold(project_copy):
    result = lint_imports(project_copy)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("abc/reader.py", "import keras", "abc and corpus import no ML library"),
        ("corpus/split.py", "import tensorflow", "abc and corpus import no ML library"),
        ("rnn/sample.py", "import helpers.analysis.checks", "Each step imports only the steps before it"),
        ("analysis/novelty.py", "import helpers.report.latex", "Each step imports only the steps before it"),
        ("report/latex.py", "import helpers.ui.render", "Nothing but notebooks imports ui"),
        ("exercise.py", "import helpers.assignment.grade", "Nothing in the package imports the assignment tools"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(project_copy, module, line, contract):
    path = project_copy / "helpers" / module
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")
    result = lint_imports(project_copy)
    assert result.returncode != 0, f"adding {line!r} to {module} broke no contract"
    assert f"{contract} BROKEN" in result.stdout, result.stdout[-3000:]


def test_the_longest_test_files_are_handed_out_first_then_the_slow_ones_then_the_rest():
    from scheduling import LONGEST_FIRST, handing_out_order

    project = Path(__file__).resolve().parent.parent
    assert all((project / path).is_file() for path in LONGEST_FIRST), "a renamed test file: update LONGEST_FIRST"

    class Item:
        def __init__(self, nodeid: str, slow: bool = False):
            self.nodeid, self.slow = nodeid, slow

        def get_closest_marker(self, name: str):
            return name if name == "slow" and self.slow else None

    items = [
        Item("tests/abc/test_fast.py::test_a"),
        Item("tests/abc/test_slowish.py::test_b", slow=True),
        Item(f"{LONGEST_FIRST[1]}::test_c"),
        Item("tests/abc/test_slowish.py::test_d"),
        Item(f"{LONGEST_FIRST[0]}::test_e"),
    ]
    order = [item.nodeid.rsplit("_", 1)[1] for item in sorted(items, key=handing_out_order(items))]
    assert order == ["e", "c", "b", "d", "a"]
