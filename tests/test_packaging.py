"""requirements.txt and requirements-test.txt (exact pins) and pyproject.toml (compatible ranges) never contradict.

requirements.txt is the main job's (`make run` and JupyterLab); requirements-test.txt adds the test and grading
tools (pyproject.toml's `test` extra), which `make test` installs.
"""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = Path(__file__).resolve().parent.parent
MAIN_EXTRAS = ("cpu", "lab")  # pinned in requirements.txt; the `test` extra is pinned in requirements-test.txt


def read_pins(text: str) -> list[Requirement]:
    """The requirements of a requirements.txt text, comments, blank lines and `-r other-file` left out."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-r ")]


def read_ranges(pyproject: dict, extras: tuple[str, ...] = MAIN_EXTRAS, dependencies: bool = True) -> list[Requirement]:
    """The requirements of the [project] table: its dependencies and the extras named (not the project's own)."""
    project = pyproject["project"]
    optional = project.get("optional-dependencies", {})
    listed = [*(project.get("dependencies", []) if dependencies else []), *sum((optional[e] for e in extras), [])]
    requirements = [Requirement(text) for text in listed]
    return [req for req in requirements if canonicalize_name(req.name) != canonicalize_name(project["name"])]


def contradictions(pins: list[Requirement], ranges: list[Requirement]) -> list[str]:
    """Each disagreement: a pin not exact, outside its range, or of other extras or platforms; a range not pinned."""
    problems = []
    pinned = {}
    for pin in pins:
        if [spec.operator for spec in pin.specifier] != ["=="]:
            problems.append(f"{pin} in requirements.txt is not an exact pin (name==version)")
        pinned[canonicalize_name(pin.name)] = pin
    for wanted in ranges:
        pin = pinned.get(canonicalize_name(wanted.name))
        if pin is None:
            problems.append(f"{wanted} in pyproject.toml has no pin in requirements.txt")
            continue
        exact = [spec.version for spec in pin.specifier if spec.operator == "=="]
        if len(pin.specifier) == 1 and exact and not wanted.specifier.contains(exact[0], prereleases=True):
            problems.append(f"{pin} in requirements.txt is outside {wanted} in pyproject.toml")
        if not wanted.extras <= pin.extras:
            problems.append(f"{pin} in requirements.txt lacks the extras of {wanted} in pyproject.toml")
        if str(wanted.marker) != str(pin.marker):
            problems.append(f"{pin} in requirements.txt and {wanted} in pyproject.toml name different platforms")
    return problems


def pyproject() -> dict:
    return tomllib.loads((PROJECT / "pyproject.toml").read_text())


def test_the_pins_lie_in_the_ranges_and_every_range_is_pinned():
    pins = read_pins((PROJECT / "requirements.txt").read_text())
    ranges = read_ranges(pyproject())
    assert ranges, "pyproject.toml declares no dependencies"
    assert contradictions(pins, ranges) == []


def test_the_test_tools_are_pinned_in_their_own_file_on_top_of_the_main_one():
    text = (PROJECT / "requirements-test.txt").read_text()
    assert "-r requirements.txt" in text.splitlines(), "make test must install the main job's pins too"
    ranges = read_ranges(pyproject(), extras=("test",), dependencies=False)
    assert ranges, "pyproject.toml's test extra is empty"
    assert contradictions(read_pins(text), ranges) == []


def test_the_main_job_installs_no_test_tool():
    main = {canonicalize_name(pin.name) for pin in read_pins((PROJECT / "requirements.txt").read_text())}
    tools = {canonicalize_name(pin.name) for pin in read_pins((PROJECT / "requirements-test.txt").read_text())}
    assert main & tools == set(), "a tool pinned in both files would be installed by make run"


def test_the_student_edition_installs_the_otter_pinned_for_the_tests():
    makefile = (PROJECT / "helpers" / "assignment" / "student.mk").read_text()
    grader = re.search(r"^GRADER \?= (\S+)$", makefile, re.MULTILINE)
    assert grader, "student.mk sets no GRADER: the student notebooks' checks need otter-grader"
    pins = {canonicalize_name(pin.name): pin for pin in read_pins((PROJECT / "requirements-test.txt").read_text())}
    student = Requirement(grader.group(1))
    assert student.specifier == pins[canonicalize_name(student.name)].specifier


def test_tensorflow_is_an_extra_so_an_environment_keeps_its_own():
    project = pyproject()["project"]
    names = {canonicalize_name(Requirement(text).name) for text in project["dependencies"]}
    assert not names & {"tensorflow", "tensorflow-cpu"}, "Colab's GPU TensorFlow would be replaced"
    extra = {canonicalize_name(Requirement(text).name) for text in project["optional-dependencies"]["cpu"]}
    assert extra == {"tensorflow", "tensorflow-cpu"}


def test_a_pin_outside_its_range_is_named():
    pins = read_pins("numpy==1.26.4  # old\n\nkeras==3.15.1\n")
    problems = contradictions(pins, [Requirement("numpy>=2,<3"), Requirement("keras>=3.15,<4")])
    assert problems == ["numpy==1.26.4 in requirements.txt is outside numpy<3,>=2 in pyproject.toml"]


def test_a_range_without_a_pin_a_loose_pin_and_a_mismatch_are_named():
    pins = read_pins('scipy>=1.11\notter-grader==7.0.0\ntensorflow==2.21.0; sys_platform == "darwin"\n')
    ranges = [
        Requirement("mido>=1.3,<2"),
        Requirement("otter-grader[grading]>=7,<8"),
        Requirement("tensorflow>=2.16,<3"),
        Requirement("Scipy>=1.11,<2"),
    ]
    assert contradictions(pins, ranges) == [
        "scipy>=1.11 in requirements.txt is not an exact pin (name==version)",
        "mido<2,>=1.3 in pyproject.toml has no pin in requirements.txt",
        "otter-grader==7.0.0 in requirements.txt lacks the extras of otter-grader[grading]<8,>=7 in pyproject.toml",
        'tensorflow==2.21.0; sys_platform == "darwin" in requirements.txt and tensorflow<3,>=2.16 in pyproject.toml '
        "name different platforms",
    ]
