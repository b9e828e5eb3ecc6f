"""Profiles, corpus choice and output paths (config.py), and one run's settings (run_config.py)."""

import numpy as np
import pytest

from helpers.config import CORPUS_ENV, DEFAULT_CORPUS, PROFILE_ENV, ROOT_ENV, RunConfig, get_profile, project_paths


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """Each test starts as if no MUSICRNN_* variable were set."""
    for name in (PROFILE_ENV, CORPUS_ENV, ROOT_ENV):
        monkeypatch.delenv(name, raising=False)


# --- profiles and paths ---------------------------------------------------------------------------


def test_default_profile_is_full_on_the_default_corpus():
    profile = get_profile()
    assert profile.name == "full"
    assert profile.corpus == DEFAULT_CORPUS


def test_profile_comes_from_the_environment_unless_named(monkeypatch):
    monkeypatch.setenv(PROFILE_ENV, "quick")
    assert get_profile().name == "quick"
    assert get_profile("full").name == "full"


def test_unknown_profile_is_refused_naming_it(monkeypatch):
    with pytest.raises(ValueError, match="'fast'"):
        get_profile("fast")
    with pytest.raises(ValueError, match="''"):
        get_profile("")
    monkeypatch.setenv(PROFILE_ENV, "Quick")
    with pytest.raises(ValueError, match="'Quick'"):
        get_profile()


def test_quick_profile_is_smaller_than_full():
    quick, full = get_profile("quick"), get_profile("full")
    assert quick.max_tunes is not None and full.max_tunes is None
    assert quick.epochs < full.epochs


def test_quick_and_full_write_to_different_folders(tmp_path):
    quick, full = project_paths(get_profile("quick"), tmp_path), project_paths(get_profile("full"), tmp_path)
    assert quick.runs != full.runs
    assert quick.data != full.data
    assert quick.figures != full.figures
    for paths in (quick, full):
        assert all(folder.is_relative_to(tmp_path) for folder in (paths.data, paths.runs, paths.figures))


def test_project_root_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(ROOT_ENV, str(tmp_path))
    assert project_paths(get_profile("quick")).runs.is_relative_to(tmp_path)


def test_custom_corpus_gets_its_own_folders(monkeypatch, tmp_path):
    default = get_profile("quick")
    monkeypatch.setenv(CORPUS_ENV, str(tmp_path / "My Session Tunes.abc"))
    custom = get_profile("quick")
    assert custom.corpus == str(tmp_path / "My Session Tunes.abc")
    assert custom.tag != default.tag
    assert "my-session-tunes" in custom.tag
    assert project_paths(custom, tmp_path).runs != project_paths(default, tmp_path).runs


def test_corpus_argument_overrides_the_environment(monkeypatch):
    monkeypatch.setenv(CORPUS_ENV, "/somewhere/tunes.abc")
    assert get_profile("full", corpus="miscFolk").corpus == "miscFolk"


def test_two_corpora_with_the_same_file_name_get_different_folders(tmp_path):
    first = get_profile("full", corpus=str(tmp_path / "irish" / "tunes.abc"))
    second = get_profile("full", corpus=str(tmp_path / "scottish" / "tunes.abc"))
    assert first.tag != second.tag


@pytest.mark.parametrize("name", ["quick", "full"])
def test_profile_run_config_carries_the_profile_settings(name):
    profile = get_profile(name)
    config = profile.run_config()
    assert (config.epochs, config.batch_size, config.chunk_length, config.seed) == (
        profile.epochs,
        profile.batch_size,
        profile.chunk_length,
        profile.seed,
    )


def test_profile_run_config_applies_changes():
    config = get_profile("quick").run_config(cell="LSTM", seed=9, epochs=3)
    assert (config.cell, config.seed, config.epochs) == ("LSTM", 9, 3)
    assert config.batch_size == get_profile("quick").batch_size


# --- RunConfig ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cell": "Transformer"}, "cell"),
        ({"optimizer": "adamw"}, "optimizer"),
        ({"encoding": "bytes"}, "encoding"),
        ({"hidden_size": 0}, "hidden_size"),
        ({"hidden_size": -5}, "hidden_size"),
        ({"layers": 0}, "layers"),
        ({"dropout": 1.0}, "dropout"),
        ({"dropout": -0.1}, "dropout"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"chunk_length": 2.5}, "chunk_length"),
        ({"hidden_size": True}, "hidden_size"),
        ({"epochs": "3"}, "epochs"),
        ({"seed": -1}, "seed"),
        ({"seed": "x"}, "seed"),
        ({"seed": 2**32}, "seed"),
        ({"dropout": "0.2"}, "dropout"),
        ({"dropout": float("nan")}, "dropout"),
        ({"learning_rate": "0.01"}, "learning_rate"),
        ({"learning_rate": float("inf")}, "learning_rate"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"learning_rate": True}, "learning_rate"),
        ({"early_stopping_patience": 0}, "early_stopping_patience"),
        ({"early_stopping_patience": True}, "early_stopping_patience"),
        ({"cell": ["LSTM"]}, "cell"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(changes, field):
    with pytest.raises(ValueError, match=field):
        RunConfig(**changes)


def test_defaults_are_valid_settings():
    config = RunConfig()
    assert config.cell == "SimpleRNN" and config.encoding == "onehot"


def test_save_and_load_give_the_same_config(tmp_path):
    config = RunConfig(cell="GRU", hidden_size=64, layers=2, dropout=0.25, encoding="embedding", learning_rate=0.01)
    config.save(tmp_path / "config.json")
    assert RunConfig.load(tmp_path / "config.json") == config


def test_load_ignores_settings_it_does_not_know(tmp_path):
    path = tmp_path / "config.json"
    RunConfig(cell="LSTM").save(path)
    path.write_text(path.read_text(encoding="utf-8").replace("{", '{\n  "retired_setting": 3,', 1), encoding="utf-8")
    assert RunConfig.load(path) == RunConfig(cell="LSTM")


def test_slug_differs_between_configs():
    variants = [
        {"cell": "LSTM"},
        {"hidden_size": 200},
        {"layers": 2},
        {"dropout": 0.2},
        {"optimizer": "adam"},
        {"seed": 2},
        {"symbols": "tokens"},
        {"keys": "in C"},
        {"symbols": "tokens", "keys": "in C"},
        {"notation": "canonical"},
        {"keys": "in C", "notation": "canonical"},
    ]
    slugs = [RunConfig().slug] + [RunConfig(**changes).slug for changes in variants]
    assert len(set(slugs)) == len(slugs)


def test_slug_is_the_same_for_equal_configs():
    assert RunConfig(cell="GRU", seed=4).slug == RunConfig(cell="GRU", seed=4).slug


def test_a_bad_setting_is_named_with_its_value_and_type():
    with pytest.raises(ValueError, match=r"hidden_size must be a positive integer, got True \(bool\)"):
        RunConfig(hidden_size=True)
    with pytest.raises(ValueError, match=r"learning_rate must be a positive finite number, got '0.01' \(str\)"):
        RunConfig(learning_rate="0.01")


def test_whole_numbers_are_accepted_for_rates_and_stored_as_floats():
    config = RunConfig(dropout=0, learning_rate=1)
    assert (config.dropout, config.learning_rate) == (0.0, 1.0)
    assert isinstance(config.dropout, float) and isinstance(config.learning_rate, float)
    assert config == RunConfig(dropout=0.0, learning_rate=1.0)
    assert config.slug == RunConfig(dropout=0.0, learning_rate=1.0).slug


def test_numpy_numbers_are_stored_as_plain_python_numbers(tmp_path):
    config = RunConfig(hidden_size=np.int64(64), dropout=np.float32(0.25), seed=np.int32(7))
    assert type(config.hidden_size) is int and type(config.dropout) is float and type(config.seed) is int
    config.save(tmp_path / "config.json")
    assert RunConfig.load(tmp_path / "config.json") == config


def test_symbols_keys_and_notation_are_checked_and_the_defaults_keep_the_old_run_names(tmp_path):
    assert RunConfig().slug == "SimpleRNN-h100-l1-d0.0-onehot-rmsprop-s1"
    assert RunConfig(symbols="tokens", keys="in C").slug == "SimpleRNN-h100-l1-d0.0-onehot-rmsprop-tokens-inC-s1"
    assert RunConfig(notation="canonical").slug == "SimpleRNN-h100-l1-d0.0-onehot-rmsprop-canon-s1"
    (tmp_path / "old.json").write_text('{"cell": "LSTM", "keys": "in C"}')  # saved before notation was a setting
    assert RunConfig.load(tmp_path / "old.json").notation == "as written"
    for bad in ({"symbols": "words"}, {"keys": "C"}, {"symbols": None}, {"notation": "clean"}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            RunConfig(**bad)
