"""The generator panel: Generate writes a tune (valid ABC only, or freely), Save keeps it as .abc, .mid and .wav.

Generating with the "valid ABC only" switch on needs Sampler.sample(constrained=...).
"""

import html
import wave

import mido
import numpy as np
import pytest
from tune_checks import form_problems

from helpers.abc.grammar import FORMS
from helpers.rnn.runs import shipped_model_dir
from helpers.rnn.sample import Sampler
from helpers.ui.generator_panel import VALID_ABC_EXPLANATION, GeneratorPanel
from helpers.ui.render import midi_bytes, with_x_field


@pytest.fixture
def shown(monkeypatch) -> list:
    """Everything the panel displays, in order."""
    objects = []
    monkeypatch.setattr("helpers.ui.generator_panel.display", lambda *displayed: objects.extend(displayed))
    return objects


@pytest.fixture(scope="module")
def shipped_sampler() -> Sampler:
    """The sampler of the small model shipped in models/baseline, which writes tunes that can be played."""
    return Sampler.from_run(shipped_model_dir())


@pytest.fixture
def tune_panel(shipped_sampler, tmp_path) -> GeneratorPanel:
    """A panel saving in tmp_path/saved whose shipped model (switch off, T = 0.6, seed 1) writes a playable tune."""
    panel = GeneratorPanel({"shipped": shipped_model_dir()}, seed=1, save_dir=tmp_path / "saved")
    panel.samplers[shipped_model_dir()] = shipped_sampler
    panel.valid_abc.value = False
    panel.temperature.value = 0.6
    panel.max_length.value = 600
    return panel


@pytest.mark.parametrize("valid_abc", [False, True], ids=["free", "valid-abc-only"])
def test_generate_writes_a_tune_with_the_panels_settings(random_run, valid_abc):
    panel = GeneratorPanel({"random": random_run}, seed=3)
    panel.valid_abc.value = valid_abc
    panel.max_length.value = 60
    first = panel.generate()
    assert first is not None and len(first.text) <= 60
    assert panel.generate() == first
    panel.seed.value = 4
    assert panel.generate() != first


def test_the_valid_abc_switch_is_on_by_default_and_explained(random_run):
    panel = GeneratorPanel({"random": random_run})
    assert panel.valid_abc.value is True and panel.valid_abc.description == "valid ABC only"
    row = next(
        child for child in panel.widget.children[0].children if panel.valid_abc in getattr(child, "children", ())
    )
    assert html.escape(VALID_ABC_EXPLANATION) in row.children[1].value


@pytest.mark.parametrize(
    ("valid_abc", "mode", "other_mode"),
    [(False, "free sampling", "valid ABC only"), (True, "valid ABC only", "free sampling")],
    ids=["free", "valid-abc-only"],
)
def test_the_panel_shows_which_mode_made_the_tune(random_run, shown, valid_abc, mode, other_mode):
    panel = GeneratorPanel({"random": random_run})
    panel.valid_abc.value = valid_abc
    panel.generate()
    assert mode in shown[0].data and other_mode not in shown[0].data


def test_the_form_menu_writes_a_tune_in_the_form_chosen_and_says_so(shipped_sampler, shown):
    panel = GeneratorPanel({"shipped": shipped_model_dir()}, seed=2)
    panel.samplers[shipped_model_dir()] = shipped_sampler
    assert panel.form.value == "free" and set(FORMS) == {value for _, value in panel.form.options}
    panel.valid_abc.value = False  # a form writes valid ABC whatever the switch says
    panel.form.value = "AABB"
    tune = panel.generate()
    assert tune.constrained and tune.form == "AABB" and form_problems(tune.abc, "AABB") == []
    assert "in the form AABB: two parts of 8 bars, each played twice" in shown[0].data
    panel.form.value = "AB16"
    assert form_problems(panel.generate().abc, "AB16") == []


def test_with_the_switch_on_even_a_random_network_writes_a_tune_that_plays(random_run):
    panel = GeneratorPanel({"random": random_run}, seed=1)
    panel.max_length.value = 400
    assert midi_bytes(panel.generate().abc).ok
    panel.valid_abc.value = False  # the same network, free: its random characters are no tune
    assert not midi_bytes(panel.generate().abc).ok


def test_a_prime_with_unseen_characters_gives_a_message(random_run, shown):
    panel = GeneratorPanel({"random": random_run})
    panel.valid_abc.value = False
    panel.prime.value = "<start>\nX:1\nT:Ärger"
    assert panel.generate() is None
    assert len(shown) == 1 and "never saw" in shown[0].data and "Ä" in shown[0].data


def test_a_tune_is_shown_as_text_notation_and_audio(random_run, shown):
    panel = GeneratorPanel({"random": random_run})
    panel.valid_abc.value = False
    tune = panel.generate()
    assert len(shown) == 3 and html.escape(tune.abc) in shown[0].data


def test_save_writes_the_tunes_abc_midi_and_wav(tune_panel, shown, tmp_path):
    tune = tune_panel.generate()
    files = tune_panel.save("my-reel_1")
    saved = tmp_path / "saved"
    assert files == [saved / "my-reel_1.abc", saved / "my-reel_1.mid", saved / "my-reel_1.wav"]
    assert files[0].read_text() == with_x_field(tune.abc) and files[0].read_text().startswith("X:")
    assert any(message.type == "note_on" for message in mido.MidiFile(files[1]))
    with wave.open(str(files[2])) as audio:
        frames = np.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2")
    assert len(frames) > 0 and np.abs(frames).max() > 1000
    assert "Saved my-reel_1.abc, my-reel_1.mid, my-reel_1.wav" in shown[-1].data


def test_an_existing_name_is_refused_not_overwritten(tune_panel, shown):
    first = tune_panel.generate()
    files = tune_panel.save("tune")
    before = [file.read_bytes() for file in files]
    tune_panel.seed.value = 2
    assert tune_panel.generate() != first
    assert tune_panel.save("tune") == []
    assert "already exists" in shown[-1].data
    assert [file.read_bytes() for file in files] == before
    assert len(tune_panel.save("tune-2")) == 3


@pytest.mark.parametrize(
    "name", ["", "   ", "a/b", "../escape", "a\\b", "a.b", "two words", "Ärger", "x" * 101, "name\n"]
)
def test_a_bad_name_is_refused_with_a_message_and_nothing_written(tune_panel, shown, tmp_path, name):
    tune_panel.generate()
    assert tune_panel.save(name) == []
    assert "Not saved" in shown[-1].data and "name" in shown[-1].data
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "name", ["CON", "con", "Nul", "aux", "PRN", "COM1", "com9", "LPT1", "lpt9", "COM0", "CON.abc", "nul.txt", "Aux.x.y"]
)
def test_a_windows_device_name_is_refused_on_every_platform(tune_panel, shown, tmp_path, name):
    tune_panel.generate()
    assert tune_panel.save(name) == []
    assert (
        "Not saved" in shown[-1].data
        and "Windows reserves" in shown[-1].data
        and html.escape(repr(name)) in shown[-1].data
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["CONSOLE", "con-1", "COM10", "LPT", "nul_tune", "auxiliary"])
def test_a_name_that_only_begins_like_a_device_is_saved(tune_panel, shown, name):
    tune_panel.generate()
    assert len(tune_panel.save(name)) == 3


def test_save_before_generate_shows_a_message(tune_panel, shown, tmp_path):
    assert tune_panel.save("early") == []
    assert "generate a tune first" in shown[-1].data
    assert not (tmp_path / "saved").exists()


def test_a_tune_that_cannot_be_played_is_not_saved(random_run, shown, tmp_path):
    panel = GeneratorPanel({"random": random_run}, seed=1, save_dir=tmp_path / "saved")
    panel.valid_abc.value = False
    panel.generate()
    assert panel.save("noise") == []
    assert "cannot be played" in shown[-1].data and not (tmp_path / "saved").exists()


def test_a_failed_generate_leaves_nothing_to_save(tune_panel, shown):
    tune_panel.generate()
    tune_panel.prime.value = "<start>\nT:Ärger"
    assert tune_panel.generate() is None
    assert tune_panel.save("stale") == [] and "generate a tune first" in shown[-1].data


def rows_of(panel: GeneratorPanel) -> list:
    """The widgets in the panel's rows."""
    return [widget for row in panel.widget.children for widget in getattr(row, "children", ())]


def test_the_save_row_is_there_only_with_a_save_dir(random_run, shown, tmp_path):
    saving = GeneratorPanel({"random": random_run}, save_dir=tmp_path)
    assert saving.save_button in rows_of(saving) and saving.name in rows_of(saving)
    panel = GeneratorPanel({"random": random_run})
    assert panel.save_button not in rows_of(panel)
    assert panel.save("tune") == [] and "no folder to save in" in shown[-1].data


def test_the_key_menu_moves_the_tune_on_show_and_saves_it_in_that_key(tune_panel, shown, tmp_path):
    from helpers.abc.music import pitch_sequence
    from helpers.abc.reader import header_fields

    panel = tune_panel
    panel.valid_abc.value = True
    tune = panel.generate()
    written = header_fields(tune.abc)["K"]
    other = "G" if written[0] != "G" else "A"
    panel.key.value = other  # showing again is the menu's own doing: no Generate
    moved = panel.shown_abc()
    assert header_fields(moved)["K"].startswith(other) and moved != tune.abc
    steps = {after - before for before, after in zip(pitch_sequence(tune.abc), pitch_sequence(moved), strict=True)}
    assert len(steps) == 1, f"every note moves by one interval, not {steps}"
    assert html.escape(moved) in shown[-3].data
    assert [path.suffix for path in panel.save("moved")] == [".abc", ".mid", ".wav"]
    assert header_fields((tmp_path / "saved" / "moved.abc").read_text())["K"] == header_fields(moved)["K"]
    panel.key.value = "as generated"
    assert panel.shown_abc() == tune.abc and header_fields(panel.shown_abc())["K"] == written


def test_a_tune_whose_key_cannot_move_is_shown_as_generated_with_the_reason(tune_panel, shown):
    panel = tune_panel
    panel.generate()
    panel.last_tune = type(panel.last_tune)("", "<start>\nX:1\nT:x\nM:4/4\nK:none\nABcd|]\n<end>\n", True)
    panel.key.value = "G"
    texts = [getattr(item, "data", "") for item in shown]
    assert any("shown as generated" in text and "K:none" in text for text in texts)
    assert any("K:none" in text and "abc-text" in text for text in texts)
