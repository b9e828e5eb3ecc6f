"""`python -m helpers.cli slim`, which `make setup` runs: a smaller environment in which the same code still runs."""

import importlib.util
import platform
import shutil
from pathlib import Path

import tornado.speedups

from helpers.cli import slim

# A small compiled extension of the environment, shipped with its symbol table, that a test can import from a copy.
EXTENSION = Path(tornado.speedups.__file__)


def fake_site_packages(root: Path) -> Path:
    """site-packages holding a TensorFlow folder with C++ headers and one compiled extension with symbols."""
    tensorflow = root / "site-packages" / "tensorflow"
    (tensorflow / "include" / "tensorflow" / "core").mkdir(parents=True)
    (tensorflow / "include" / "tensorflow" / "core" / "tensor.h").write_text("#pragma once\n")
    shutil.copy2(EXTENSION, tensorflow / EXTENSION.name)
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
    if platform.system() == "Linux" and shutil.which("strip"):
        assert library.stat().st_size < before and "stripped the symbol tables of 1 TensorFlow libraries" in said[1]
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
