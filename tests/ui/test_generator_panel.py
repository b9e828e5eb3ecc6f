"""The generator panel: Generate writes a tune; a bad setting shows a message instead of raising."""

import html

from helpers.ui.generator_panel import GeneratorPanel


def test_generate_writes_a_tune_with_the_panels_settings(random_run):
    panel = GeneratorPanel({"random": random_run}, seed=3)
    panel.max_length.value = 60
    first = panel.generate()
    assert first is not None and len(first.text) <= 60
    assert panel.generate() == first
    panel.seed.value = 4
    assert panel.generate() != first


def test_a_prime_with_unseen_characters_gives_a_message(random_run, monkeypatch):
    shown = []
    monkeypatch.setattr("helpers.ui.generator_panel.display", lambda *objects: shown.extend(objects))
    panel = GeneratorPanel({"random": random_run})
    panel.prime.value = "<start>\nX:1\nT:Ärger"
    assert panel.generate() is None
    assert len(shown) == 1 and "never saw" in shown[0].data and "Ä" in shown[0].data


def test_a_tune_is_shown_as_text_notation_and_audio(random_run, monkeypatch):
    shown = []
    monkeypatch.setattr("helpers.ui.generator_panel.display", lambda *objects: shown.extend(objects))
    tune = GeneratorPanel({"random": random_run}).generate()
    assert len(shown) == 3 and html.escape(tune.abc) in shown[0].data
