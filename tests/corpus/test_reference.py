"""A student's split is checked before the later notebooks use it; the reference data stands in, saying so."""

import json
import shutil

import pytest

from helpers.config import get_profile
from helpers.corpus.load import Tune
from helpers.corpus.reference import prepared_or_reference, reference_folder, use_reference_data
from helpers.corpus.split import MANIFEST, Split, check_split, prepare_corpus, split_by_tune


def tunes(count: int) -> list[Tune]:
    return [Tune("test", f"X:{n}\nT:Tune {n}\nK:G\nGAB|") for n in range(count)]


def test_a_right_split_passes_and_copies_of_the_tunes_count_as_the_tunes():
    given = tunes(30)
    check_split(split_by_tune(given, seed=1), given)
    check_split(split_by_tune(given, seed=1, max_tunes=12), given, 12)
    check_split(Split([Tune("x", t.text) for t in given[:20]], given[20:25], given[25:]), given)


@pytest.mark.parametrize(
    "split, message",
    [
        (None, "it returned None"),
        ((1, 2, 3), "its train set is NoneType"),
        (Split(tunes(30)[:20], [], tunes(30)[20:]), "its validation set is list, not a non-empty list"),
        (Split(tunes(30)[:20], tunes(30)[19:25], tunes(30)[25:]), "a tune is in two sets"),
        (Split(tunes(30)[:20], tunes(30)[20:25], tunes(30)[25:29]), "hold 29 tunes, expected 30"),
        (
            Split([Tune("x", "X:99\nK:D\nA|"), *tunes(30)[1:20]], tunes(30)[20:25], tunes(30)[25:]),
            "not one of the tunes",
        ),
        (Split(["X:1"], tunes(30)[20:25], tunes(30)[25:]), "its train set is list, not a non-empty list of tunes"),
    ],
)
def test_a_wrong_split_is_refused_saying_what_is_wrong(split, message):
    with pytest.raises(ValueError, match=message):
        check_split(split, tunes(30))


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """A student edition's root holding the quick profile's reference data, as the edition's build writes it."""
    root = tmp_path_factory.mktemp("edition")
    profile = get_profile("quick")
    prepare_corpus(profile.corpus, profile.seed, reference_folder(profile, root), profile.max_tunes)
    return root


def test_missing_data_is_replaced_by_the_reference_in_one_line(shipped, tmp_path, capsys):
    profile = get_profile("quick")
    data = prepared_or_reference(profile, tmp_path / "data", shipped)
    (line,) = capsys.readouterr().out.splitlines()
    assert "no prepared data in" in line and "going on with the reference data" in line
    assert data.train == (reference_folder(profile, shipped) / "train.txt").read_text()
    assert prepared_or_reference(profile, tmp_path / "data", shipped).train == data.train  # now read, no line
    assert capsys.readouterr().out == ""


def test_reference_data_of_other_inputs_is_refused(shipped, tmp_path):
    manifest_path = reference_folder(get_profile("quick"), shipped) / MANIFEST
    other = tmp_path / "other"
    shutil.copytree(manifest_path.parent, other / "reference" / "data" / "quick")
    manifest = json.loads((other / "reference" / "data" / "quick" / MANIFEST).read_text())
    manifest["inputs"]["seed"] = 99
    manifest["inputs"]["corpus_path"] = "/elsewhere"  # another machine: not a difference
    (other / "reference" / "data" / "quick" / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match=r"prepared from other inputs \(seed: 99 before, 1 now\)"):
        use_reference_data(get_profile("quick"), tmp_path / "data", other)
