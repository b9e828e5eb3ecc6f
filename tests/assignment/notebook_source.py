"""A notebook's definition of one function, read from its saved source: how the tests get a notebook's solution."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path


def definition_in(notebook: dict, name: str, path: Path) -> Callable | None:
    """Run the imports of a notebook's code cells and the last cell that defines `name`; return that function."""
    imports, definition = [], None
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", []))
        try:
            tree = ast.parse(python_of(source))
        except SyntaxError as error:
            if f"def {name}(" in source:
                raise SyntaxError(f"{path.name}: the cell that defines {name} does not parse: {error}") from None
            continue
        imports += [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
        if any(isinstance(node, ast.FunctionDef) and node.name == name for node in tree.body):
            definition = [node for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)]
    if definition is None:
        return None
    namespace: dict = {"__name__": f"student:{path.stem}"}
    exec(compile(ast.Module(body=imports + definition, type_ignores=[]), str(path), "exec"), namespace)
    return namespace[name]


def python_of(source: str) -> str:
    """A cell's source as plain Python: IPython's magics and shell escapes turned into calls."""
    if "%" not in source and "!" not in source:
        return source
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)
