"""The autograder zip rewritten for Gradescope, on a small zip in otter's layout (the real zips are graded as on
Gradescope in test_cycle.py)."""

import stat
import sys
import zipfile

import otter
import pytest
import yaml

from helpers.assignment.gradescope import GRADING_PROFILE, OTTER_REQUIREMENT, gradescope_zip, pip_requirements

RUN_OTTER = 'from otter.run.run_autograder import main as run_autograder\n\nrun_autograder("/autograder")\n'
ENVIRONMENT = """name: otter-env
channels:
  - conda-forge
dependencies:
  - python=3.13
  - pip
  - jupyter_server
  - pip:
      - otter-grader[grading,plugins]==7.0.0
"""


@pytest.fixture
def otter_zip(tmp_path):
    """A zip as otter assign writes it, its scripts executable."""
    path = tmp_path / "otter.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in {"run_autograder": "#!/bin/bash\n", "setup.sh": "#!/bin/bash\n"}.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | 0o755) << 16
            archive.writestr(info, text)
        archive.writestr("run_otter.py", RUN_OTTER)
        archive.writestr("environment.yml", ENVIRONMENT)
        archive.writestr("tests/q1.py", "OK_FORMAT = False\n")
    return path


def test_the_zip_names_every_pin_and_carries_the_files_and_the_profile(otter_zip, tmp_path):
    files = tmp_path / "files"
    (files / "helpers").mkdir(parents=True)
    (files / "helpers" / "__init__.py").write_text("")
    (files / "models" / "m").mkdir(parents=True)
    (files / "models" / "m" / "model.keras").write_bytes(b"PK model")
    pins = ["keras==3.15.1", 'tensorflow-cpu==2.21.0; sys_platform != "darwin"']
    out = gradescope_zip(otter_zip, files, pins, tmp_path / "01_data.zip")
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        environment = yaml.safe_load(archive.read("environment.yml"))
        script = archive.read("run_otter.py").decode()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        stored = archive.getinfo("files/models/m/model.keras").compress_type
    assert {"files/helpers/__init__.py", "files/models/m/model.keras", "tests/q1.py", "setup.sh"} <= names
    assert stored == zipfile.ZIP_STORED
    assert f"python={sys.version_info.major}.{sys.version_info.minor}" in environment["dependencies"]
    (pip,) = [item["pip"] for item in environment["dependencies"] if isinstance(item, dict)]
    assert pip == [f"{OTTER_REQUIREMENT}=={otter.__version__}", *pins]
    assert f'os.environ.setdefault("MUSICRNN_PROFILE", "{GRADING_PROFILE}")' in script
    assert script.rstrip().endswith('run_autograder("/autograder")')  # otter's script, unchanged below
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert stat.S_IMODE(out.stat().st_mode) == 0o644 and not list(tmp_path.glob("tmp*.zip"))


def test_a_requirements_file_gives_its_pins_with_their_markers_and_nothing_else(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        '# a comment\n\ntensorflow-cpu==2.21.0; sys_platform != "darwin"\n-r other.txt\nkeras==3.15.1  # pinned\n'
    )
    assert pip_requirements(requirements) == ['tensorflow-cpu==2.21.0; sys_platform != "darwin"', "keras==3.15.1"]


def test_the_pins_are_requirements_txt_and_otter_as_requirements_test_pins_it():
    from helpers.config import project_root

    root = project_root()
    assert any(line.startswith("tensorflow-cpu==") for line in pip_requirements(root / "requirements.txt"))
    tests = pip_requirements(root / "requirements-test.txt")
    assert f"{OTTER_REQUIREMENT}=={otter.__version__}" in tests  # the zip's otter is the one that grades here
