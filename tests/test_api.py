"""Each module of helpers/ says what it exports (`__all__`); other subpackages and the notebooks import only that.

A subpackage is helpers/<name>/ (abc, corpus, rnn, ...); a top-level module (config.py, files.py, ...) is its own.
Inside a subpackage, modules may use each other's internals; from outside, `from helpers.x.y import name` must
name something in helpers.x.y's `__all__` (or a module of helpers.x, for `from helpers.x import y`).
"""

import ast
import json
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
PACKAGE = PROJECT / "helpers"


def module_name(path: Path) -> str:
    """helpers/rnn/sample.py -> helpers.rnn.sample; helpers/rnn/__init__.py -> helpers.rnn."""
    parts = path.relative_to(PROJECT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def unit_of(module: str) -> str:
    """The subpackage (or top-level module) a module belongs to: helpers.rnn.sample -> helpers.rnn."""
    return ".".join(module.split(".")[:2])


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def exports(path: Path) -> list[str] | None:
    """The names in a module's `__all__`, or None when it has none."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(target, ast.Name) and target.id == "__all__" for target in targets):
            return list(ast.literal_eval(node.value))
    return None


def imports(source: str) -> list[tuple[str, str]]:
    """(module, name) for each `from helpers... import name` in the source, and each `module.name` it reads
    through a module it imported (`from helpers.rnn import cells` then `cells.step`, or `import helpers.x as x`)."""
    tree = ast.parse(source)
    found, aliases = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("helpers"):
            for alias in node.names:
                found.append((node.module, alias.name))
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            aliases |= {alias.asname: alias.name for alias in node.names if alias.asname}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            found.append((aliases[node.value.id], node.attr))
    return found


def notebook_code(path: Path) -> str:
    """The code cells of a notebook, IPython magics and shell lines left out."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    lines = [line for cell in cells if cell["cell_type"] == "code" for line in "".join(cell["source"]).splitlines()]
    return "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))


def unexported(source: str, importer: str, known: dict[str, Path]) -> list[str]:
    """'module.name' for each import of the source, from another subpackage, of a name its module does not export."""
    problems = []
    for module, name in imports(source):
        if module not in known or unit_of(module) == unit_of(importer):
            continue
        if f"{module}.{name}" in known:  # `from helpers.rnn import sample`: a module, not a name
            continue
        if name not in (exports(known[module]) or []):
            problems.append(f"{module}.{name}")
    return problems


def test_every_module_says_what_it_exports_and_exports_only_what_it_defines():
    for name, path in modules().items():
        exported = exports(path)
        assert exported is not None, f"{path.relative_to(PROJECT)} has no __all__"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)}
        for node in tree.body:
            for target in node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]:
                for part in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if isinstance(part, ast.Name):
                        defined.add(part.id)
            if isinstance(node, ast.ImportFrom | ast.Import):
                defined |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        assert sorted(set(exported) - defined) == [], f"{name}.__all__ names what {name} lacks"


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda path: str(path.relative_to(PROJECT)))
def test_modules_import_from_other_subpackages_only_what_they_export(path):
    assert unexported(path.read_text(encoding="utf-8"), module_name(path), modules()) == []


@pytest.mark.parametrize("path", sorted((PROJECT / "notebooks").glob("*.ipynb")), ids=lambda path: path.name)
def test_notebooks_import_only_what_the_package_exports(path):
    assert unexported(notebook_code(path), "notebooks", modules()) == []


def test_an_import_of_an_unexported_name_is_named(tmp_path):
    known = modules()
    source = "from helpers.corpus.vocab import Vocabulary, encode_everything\nfrom helpers.rnn import sample\n"
    assert unexported(source, "helpers.analysis.study", known) == ["helpers.corpus.vocab.encode_everything"]
    assert unexported(source, "helpers.corpus.split", known) == []  # inside corpus, internals are allowed
