"""`python -m helpers.cli slim`, which `make setup` runs: a smaller environment in which the same code still runs."""

import importlib.util
import platform
import shutil
from pathlib import Path

import tornado.speedups

from helpers.cli import CLANG_LIBRARIES, byte_compile, main_job_modules, slim

# A small compiled extension of the environment, shipped with its symbol table, that a test can import from a copy.
EXTENSION = Path(tornado.speedups.__file__)


def fake_site_packages(root: Path) -> Path:
    """site-packages holding a TensorFlow folder with C++ headers and one compiled extension with symbols."""
    tensorflow = root / "site-packages" / "tensorflow"
    (tensorflow / "include" / "tensorflow" / "core").mkdir(parents=True)
    (tensorflow / "include" / "tensorflow" / "core" / "tensor.h").write_text("#pragma once\n")
    shutil.copy2(EXTENSION, tensorflow / EXTENSION.name)
    clang = root / "site-packages" / "clang"
    (clang / "native").mkdir(parents=True)
    (clang / "__init__.py").write_text("")
    (clang / "native" / "libclang.so").write_bytes(b"\x7fELF" + bytes(2_000_000))
    return root / "site-packages"


def load(path: Path):
    spec = importlib.util.spec_from_file_location("speedups", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_slim_removes_the_headers_and_strips_the_libraries_which_still_load(tmp_path):
    site = fake_site_packages(tmp_path)
    library = site / "tensorflow" / EXTENSION.name
    before = library.stat().st_size
    said = slim(site)
    assert not (site / "tensorflow" / "include").exists()
    assert said[0] == "removed TensorFlow's C++ headers (tensorflow/include)"
    assert said[1] == "removed libclang's library, which nothing here loads: 2 MB"
    assert not (site / "clang" / "native" / "libclang.so").exists() and (site / "clang" / "__init__.py").is_file()
    if platform.system() == "Linux" and shutil.which("strip"):
        assert library.stat().st_size < before and "stripped the symbol tables of 1 TensorFlow libraries" in said[2]
    mask, data = b"abcd", b"\x00\x01\x02\x03\x04"
    assert load(library).websocket_mask(mask, data) == tornado.speedups.websocket_mask(mask, data)


def test_slim_changes_nothing_without_tensorflow_and_says_so(tmp_path):
    (tmp_path / "numpy").mkdir()
    assert slim(tmp_path) == [f"no TensorFlow in {tmp_path}: nothing to slim"]
    assert (tmp_path / "numpy").is_dir()


def test_the_environment_of_make_setup_is_slimmed():
    """make setup ran slim on the environment these tests run in: TensorFlow has no C++ headers in it."""
    folder = Path(importlib.util.find_spec("tensorflow").submodule_search_locations[0])
    assert (folder / "python").is_dir() and not (folder / "include").exists(), "make setup runs helpers.cli slim"
    clang = importlib.util.find_spec("clang")
    if clang is not None:  # TensorFlow's wheel declares libclang; nothing loads it
        native = Path(clang.submodule_search_locations[0]) / "native"
        assert not [name for name in CLANG_LIBRARIES if (native / name).exists()]


def test_byte_code_is_written_for_what_is_imported_only_whatever_the_environment_says(tmp_path, monkeypatch):
    for package in ("used", "unused"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("from . import part\n")
        (tmp_path / package / "part.py").write_text("VALUE = 1\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    said = byte_compile(["used", "not_a_module"])
    assert said[0].startswith("wrote the byte-code of 2 modules")
    assert said[1:] == ["could not import not_a_module: ModuleNotFoundError: No module named 'not_a_module'"]
    assert sorted(path.name.split(".")[0] for path in (tmp_path / "used" / "__pycache__").iterdir()) == [
        "__init__",
        "part",
    ]
    assert not (tmp_path / "unused" / "__pycache__").exists()


def test_the_main_job_modules_are_the_package_and_the_kernel_not_the_grading_tools():
    modules = main_job_modules()
    assert {"helpers.rnn.sample", "helpers.ui.render", "helpers", "ipykernel.kernelapp"} <= set(modules)
    assert not [name for name in modules if name.startswith(("helpers.assignment", "helpers.cli"))]
    assert not [name for name in modules if name.endswith((".__init__", ".py"))]
