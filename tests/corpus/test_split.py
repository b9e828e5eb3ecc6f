"""The by-tune split and the prepared data files that every later step reads."""

import json

import pytest

from helpers.corpus.clean import clean_tunes
from helpers.corpus.load import CorpusError, Tune, load_corpus
from helpers.corpus.split import (
    PreparedDataConflictError,
    Split,
    prepare_corpus,
    read_prepared,
    read_tunes,
    split_by_tune,
    write_prepared,
)
from helpers.files import DamagedFileError


def make_tunes(count: int) -> list[Tune]:
    """Distinct small tunes from two sources."""
    return [Tune(f"book{i % 2}", f"X:{i}\nT:Tune number {i}\nK:G\nGAB {i}|") for i in range(count)]


def texts(tunes: list[Tune]) -> list[str]:
    return [tune.text for tune in tunes]


# --- split_by_tune --------------------------------------------------------------------------------


def test_no_tune_is_in_two_sets_and_every_tune_is_used():
    tunes = make_tunes(50)
    split = split_by_tune(tunes, seed=3)
    train, validation, test = set(texts(split.train)), set(texts(split.validation)), set(texts(split.test))
    assert not train & validation and not train & test and not validation & test
    assert len(split.train) + len(split.validation) + len(split.test) == 50
    assert train | validation | test == set(texts(tunes))


def test_fractions_set_the_sizes_of_validation_and_test():
    split = split_by_tune(make_tunes(100), seed=0, fractions=(0.2, 0.1))
    assert (len(split.train), len(split.validation), len(split.test)) == (70, 20, 10)


def test_max_tunes_takes_exactly_that_many_distinct_tunes():
    tunes = make_tunes(60)
    split = split_by_tune(tunes, seed=1, max_tunes=20)
    chosen = texts(split.train) + texts(split.validation) + texts(split.test)
    assert len(chosen) == 20
    assert len(set(chosen)) == 20
    assert set(chosen) <= set(texts(tunes))


def test_max_tunes_above_the_corpus_size_uses_every_tune():
    split = split_by_tune(make_tunes(30), seed=1, max_tunes=1000)
    assert len(split.train) + len(split.validation) + len(split.test) == 30


def test_same_seed_gives_the_same_split_and_another_seed_another():
    tunes = make_tunes(40)
    assert split_by_tune(tunes, seed=7) == split_by_tune(tunes, seed=7)
    assert split_by_tune(tunes, seed=7) != split_by_tune(tunes, seed=8)


@pytest.mark.parametrize("fractions", [(0.0, 0.1), (0.1, 0.0), (0.5, 0.5), (1.0, 0.1), (-0.1, 0.2), (0.1, 1.2)])
def test_bad_fractions_are_refused(fractions):
    with pytest.raises(ValueError, match="fractions"):
        split_by_tune(make_tunes(50), seed=0, fractions=fractions)


@pytest.mark.parametrize("count", [0, 1, 2])
def test_too_few_tunes_are_refused(count):
    with pytest.raises(ValueError, match="too few"):
        split_by_tune(make_tunes(count), seed=0)


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"seed": -1}, "seed"),
        ({"seed": "x"}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"seed": 0, "max_tunes": "20"}, "max_tunes"),
        ({"seed": 0, "max_tunes": 2.5}, "max_tunes"),
        ({"seed": 0, "fractions": (0.1,)}, "fractions"),
        ({"seed": 0, "fractions": ("0.1", "0.1")}, "fractions"),
    ],
)
def test_bad_split_arguments_are_refused_naming_them(arguments, named):
    with pytest.raises(ValueError, match=named):
        split_by_tune(make_tunes(50), **arguments)


# --- from a file to a split: a corpus that cleaning empties says why ------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("X:1 T:One line " + "abc " * 2_500_000, "no K: field"),
        ("".join(f"X:{i}\nT:Keyless {i}\nM:4/4\nABcd|\n\n" for i in range(20)), "20 no K: field"),
        ("".join(f"X:{i}\nT:Tuneless {i}\nK:G\n\n" for i in range(5)), "5 header only"),
    ],
    ids=["10MB-single-line", "no-K-fields", "header-only"],
)
def test_a_corpus_whose_every_tune_is_dropped_says_why_before_splitting(tmp_path, text, reason):
    path = tmp_path / "tunes.abc"
    path.write_text(text, encoding="utf-8")
    tunes = load_corpus(str(path))
    with pytest.raises(CorpusError, match=f"kept none of the {len(tunes)} tunes") as raised:
        clean_tunes(tunes)
    assert reason in str(raised.value)


# --- write_prepared / read_prepared / read_tunes --------------------------------------------------


@pytest.fixture
def written(tmp_path):
    """A split of 30 tunes written to tmp_path/data."""
    split = split_by_tune(make_tunes(30), seed=2)
    folder = write_prepared(split, tmp_path / "data", {"corpus": "test tunes", "seed": 2})
    return split, folder


def test_sets_are_written_as_start_end_records(written):
    split, folder = written
    for name in ("train", "validation", "test"):
        expected = "".join(f"<start>\n{tune.text}\n<end>\n" for tune in getattr(split, name))
        assert (folder / f"{name}.txt").read_text(encoding="utf-8") == expected


def test_manifest_holds_the_description_and_the_counts(written):
    split, folder = written
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["corpus"] == "test tunes" and manifest["seed"] == 2
    for name in ("train", "validation", "test"):
        tunes = getattr(split, name)
        assert manifest[name]["tunes"] == len(tunes)
        assert manifest[name]["characters"] == len((folder / f"{name}.txt").read_text(encoding="utf-8"))
        assert sum(manifest[name]["sources"].values()) == len(tunes)
        assert set(manifest[name]["sources"]) == {tune.source for tune in tunes}


def test_read_prepared_gives_back_what_was_written(written):
    split, folder = written
    data = read_prepared(folder)
    assert data.train == (folder / "train.txt").read_text(encoding="utf-8")
    assert data.validation.count("<start>\n") == len(split.validation)
    assert data.manifest["test"]["tunes"] == len(split.test)


def test_read_tunes_gives_the_tunes_of_one_set(written):
    split, folder = written
    for name in ("train", "validation", "test"):
        assert texts(read_tunes(folder, name)) == texts(getattr(split, name))


def test_read_tunes_refuses_an_unknown_set(written):
    _, folder = written
    with pytest.raises(ValueError, match="'valid'"):
        read_tunes(folder, "valid")


def test_read_prepared_without_data_says_to_run_notebook_01(tmp_path):
    with pytest.raises(FileNotFoundError, match="01_data"):
        read_prepared(tmp_path / "data" / "quick")


def test_fingerprint_follows_the_text(tmp_path):
    split = split_by_tune(make_tunes(30), seed=2)
    first = read_prepared(write_prepared(split, tmp_path / "a", {}))
    again = read_prepared(write_prepared(split, tmp_path / "b", {"note": "same tunes"}))
    other = read_prepared(write_prepared(split_by_tune(make_tunes(30), seed=3), tmp_path / "c", {}))
    assert first.fingerprint == again.fingerprint
    assert first.fingerprint != other.fingerprint


# --- whole files, checked on read -----------------------------------------------------------------


def test_a_set_file_cut_in_half_is_refused_with_its_name_and_counts(written):
    split, folder = written
    text = (folder / "train.txt").read_text(encoding="utf-8")
    kept = text[: text.index("<start>", len(text) // 2)]  # whole records, only fewer of them
    (folder / "train.txt").write_text(kept, encoding="utf-8")
    with pytest.raises(
        DamagedFileError, match=rf"train\.txt .*{len(split.train)} tunes.*holds {kept.count('<start>')}"
    ):
        read_prepared(folder)


def test_an_edited_set_file_is_refused_with_its_name(written):
    _, folder = written
    path = folder / "test.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("GAB", "GAG", 1), encoding="utf-8")
    with pytest.raises(DamagedFileError, match=r"test\.txt does not match manifest\.json"):
        read_prepared(folder)


def test_a_missing_set_file_is_refused_with_its_name(written):
    _, folder = written
    (folder / "validation.txt").unlink()
    with pytest.raises(FileNotFoundError, match=r"validation\.txt"):
        read_prepared(folder)


def test_a_truncated_manifest_is_refused_naming_it_and_what_to_do(written):
    _, folder = written
    path = folder / "manifest.json"
    path.write_text(path.read_text(encoding="utf-8")[:40], encoding="utf-8")
    with pytest.raises(DamagedFileError, match=r"manifest\.json is not valid JSON .*prepare"):
        read_prepared(folder)


def test_write_prepared_leaves_no_partial_file_and_writes_the_manifest_last(written):
    _, folder = written
    names = sorted(path.name for path in folder.iterdir())
    assert names == ["manifest.json", "test.txt", "train.txt", "validation.txt"]
    modified = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}
    assert modified["manifest.json"] >= max(modified.values())


def test_rewriting_a_folder_removes_its_manifest_first(tmp_path):
    """A write cut short (here: refused halfway for a record delimiter inside a tune) leaves no completion marker."""
    folder = write_prepared(split_by_tune(make_tunes(30), seed=2), tmp_path / "data", {})
    bad = Split(train=make_tunes(5), validation=make_tunes(2), test=[Tune("x", "X:1\nK:G\nGAB|\n<end>\nabc|")])
    with pytest.raises(ValueError, match="line 4"):
        write_prepared(bad, folder, {})
    assert not (folder / "manifest.json").exists()
    with pytest.raises(FileNotFoundError):
        read_prepared(folder)


# --- prepare_corpus: what was asked for, or a refusal that says what differs ------------------------


def distinct_tunes(count: int) -> str:
    """An ABC file of count tunes whose notes all differ (cleaning keeps every one)."""
    return "".join(
        f"X:{i}\nT:Tune {i}\nM:4/4\nL:1/8\nK:G\n{''.join('AB'[int(bit)] for bit in f'{i:07b}')}c|\n\n"
        for i in range(count)
    )


@pytest.fixture
def corpus_file(tmp_path):
    path = tmp_path / "tunes.abc"
    path.write_text(distinct_tunes(100), encoding="utf-8")
    return path


def test_prepare_corpus_records_every_input_that_shapes_the_data(corpus_file, tmp_path):
    data = prepare_corpus(str(corpus_file), 1, tmp_path / "data", max_tunes=10)
    inputs = data.manifest["inputs"]
    assert inputs["corpus"] == str(corpus_file) and inputs["corpus_path"] == str(corpus_file.resolve())
    assert (inputs["seed"], inputs["max_tunes"]) == (1, 10)
    assert len(inputs["source_fingerprint"]) == 64
    assert set(inputs) >= {"cleaning", "representation"}
    assert sum(data.manifest[name]["tunes"] for name in ("train", "validation", "test")) == 10


@pytest.mark.parametrize(
    ("change", "differs"),
    [({"max_tunes": 90}, "max_tunes: 10 before, 90 now"), ({"seed": 2}, "seed: 1 before, 2 now")],
)
def test_prepare_corpus_refuses_a_folder_prepared_with_other_settings(corpus_file, tmp_path, change, differs):
    prepare_corpus(str(corpus_file), 1, tmp_path / "data", max_tunes=10)
    asked = {"seed": 1, "max_tunes": 10} | change
    with pytest.raises(PreparedDataConflictError, match=differs) as raised:
        prepare_corpus(str(corpus_file), asked["seed"], tmp_path / "data", max_tunes=asked["max_tunes"])
    assert "remove" in str(raised.value)


def test_prepare_corpus_refuses_a_folder_whose_source_file_was_edited(corpus_file, tmp_path):
    prepare_corpus(str(corpus_file), 1, tmp_path / "data")
    corpus_file.write_text(distinct_tunes(40), encoding="utf-8")
    with pytest.raises(PreparedDataConflictError, match="source_fingerprint"):
        prepare_corpus(str(corpus_file), 1, tmp_path / "data")


def test_prepare_corpus_reuses_a_folder_prepared_from_the_same_inputs(corpus_file, tmp_path):
    first = prepare_corpus(str(corpus_file), 1, tmp_path / "data", max_tunes=10)
    again = prepare_corpus(str(corpus_file), 1, tmp_path / "data", max_tunes=10)
    assert again.fingerprint == first.fingerprint
