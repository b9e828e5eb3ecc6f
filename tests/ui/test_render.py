"""ABC -> notation, MIDI, audio and saved tunes; garbage text gives a message, never an exception or a crash."""

import html
import re
import wave
from pathlib import Path

import mido
import numpy as np
import pytest
from PIL import Image

from helpers.ui import render
from helpers.ui.render import (
    NO_SOUNDFONT,
    NUMPY_SYNTHESIZER,
    SOUNDFONT_VARIABLE,
    SYSTEM_SOUNDFONTS,
    audio_player,
    choose_soundfont,
    engrave_svg,
    export_figure,
    export_tune,
    midi_bytes,
    midi_notes,
    render_audio,
    synthesize,
    tune_files,
)

# Two bars of 6/8 in eighth notes: G A B c d e | d3 B3 (G4 first), six quarter notes = 3 s at verovio's 120 bpm.
TUNE = "X:1\nT:Test\nM:6/8\nL:1/8\nK:G\nGAB cde|d3 B3|\n"
PITCHES = [67, 69, 71, 72, 74, 76, 74, 71]
GARBAGE = [
    "",
    "  \n\n",
    "<start>\nqqq|||%%%\n",
    "X:1\nT:t\nK:\nabc|\n",  # empty key: crashes verovio's reader (SIGSEGV), which must not take the caller down
    "X:1\nK:G\nzz|qqq|||%%%\n",  # reads, but has no notes
    "\x00\x01\ud800 }{[( K:G\n",
]


def dominant_frequency(samples: np.ndarray, sample_rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)), n=8 * len(samples)))
    return float(np.fft.rfftfreq(8 * len(samples), 1 / sample_rate)[spectrum.argmax()])


def test_a_valid_tune_engraves_as_svg_with_its_notes():
    result = engrave_svg(TUNE)
    assert result.ok, result.message
    assert result.svg.lstrip().startswith("<svg")
    assert result.svg.count('class="note"') == len(PITCHES)


def test_a_valid_tune_gives_a_midi_file_with_its_pitches_in_order():
    result = midi_bytes(TUNE)
    assert result.ok, result.message
    assert result.midi.startswith(b"MThd")
    notes = midi_notes(result.midi)
    assert [pitch for _, _, pitch, _ in notes] == PITCHES
    assert notes[0][:2] == pytest.approx((0.0, 0.25), abs=0.01)


@pytest.mark.parametrize(("tempo_field", "seconds"), [("", 3.0), ("Q:1/4=60\n", 6.0)])
def test_audio_lasts_as_long_as_the_tune_at_its_tempo_and_is_not_silent(tempo_field, seconds):
    result = synthesize(TUNE.replace("K:G", tempo_field + "K:G"), sample_rate=8000)
    assert result.ok, result.message
    assert result.samples.dtype == np.float32 and result.sample_rate == 8000
    assert len(result.samples) / 8000 == pytest.approx(seconds, abs=0.05)
    assert np.sqrt(np.mean(result.samples**2)) > 0.05
    assert np.abs(result.samples).max() <= 1.0


def test_audio_of_each_note_sounds_at_its_pitch():
    result = synthesize(TUNE, sample_rate=22050)
    first_note = result.samples[: int(0.24 * 22050)]  # G4, 0 to 0.25 s
    fourth_note = result.samples[int(0.76 * 22050) : int(0.99 * 22050)]  # C5, 0.75 to 1.0 s
    assert dominant_frequency(first_note, 22050) == pytest.approx(392.0, abs=4)
    assert dominant_frequency(fourth_note, 22050) == pytest.approx(523.25, abs=5)


def test_audio_is_cut_at_the_maximum_length():
    result = synthesize(TUNE, sample_rate=8000, max_seconds=1.0)
    assert len(result.samples) == 8000


@pytest.mark.parametrize("text", GARBAGE)
def test_garbage_gives_a_message_not_an_exception(text):
    for result in (engrave_svg(text), midi_bytes(text), synthesize(text)):
        assert not result.ok
        assert result.message and len(result.message) < 200
        assert result.svg is None and result.midi is None and result.samples is None


@pytest.mark.parametrize(
    "text",
    ["X:1\nT:t\n\u00e9I:x\nK:D\nabc|\n", "X:1\nT:\u00c9ire \u2603\nK:D\n\u00e9abc|\n", "X:1\nK:G\n\ud800abc|\n"],
    ids=["accent-starts-a-header-line", "accents-and-symbols", "lone-surrogate"],
)
def test_non_ascii_text_gives_a_rendering_or_a_message(text, tmp_path):
    for result in (engrave_svg(text), synthesize(text), export_figure(text, tmp_path / "tune")):
        assert result.ok or result.message


@pytest.mark.parametrize("value", [None, b"X:1\nK:G\nabc|\n", 42])
def test_a_tune_that_is_not_text_gives_a_message_naming_its_type(value, tmp_path):
    for result in (engrave_svg(value), synthesize(value), export_figure(value, tmp_path / "tune")):
        assert type(value).__name__ in result.message


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"sample_rate": 0}, "sample_rate"),
        ({"sample_rate": "22050"}, "sample_rate"),
        ({"max_seconds": -1.0}, "max_seconds"),
        ({"max_seconds": float("nan")}, "max_seconds"),
        ({"timeout_s": 0}, "timeout_s"),
    ],
)
def test_bad_audio_settings_are_refused_naming_them(arguments, named):
    with pytest.raises(ValueError, match=named):
        synthesize(TUNE, **arguments)


def test_a_verovio_crash_is_reported_as_such():
    assert "crashed" in engrave_svg("X:1\nT:t\nK:\nabc|\n").message


def test_a_run_past_the_time_limit_is_stopped_with_a_message():
    assert "longer than" in engrave_svg(TUNE, timeout_s=0.001).message


def test_export_figure_writes_the_svg_and_a_png_three_times_its_size(tmp_path):
    assert export_figure(TUNE, tmp_path / "figures" / "T0.5-1").ok
    svg = (tmp_path / "figures" / "T0.5-1.svg").read_text()
    assert svg.count('class="note"') == len(PITCHES)
    width, height = (int(re.search(f'{side}="([0-9]+)px"', svg)[1]) for side in ("width", "height"))
    image = Image.open(tmp_path / "figures" / "T0.5-1.png")
    assert image.format == "PNG" and image.size == (width * render.PNG_ZOOM, height * render.PNG_ZOOM)
    assert not (tmp_path / "figures" / "T0.5-1.pdf").exists()


def title_band(path: Path) -> np.ndarray:
    """The top quarter of a PNG, in grey levels: the band of the title, above the staff."""
    pixels = np.asarray(Image.open(path).convert("L"))
    return pixels[: len(pixels) // 4]


def test_the_png_sets_the_title_in_the_shipped_font_the_same_on_every_run(tmp_path):
    export_figure(TUNE, tmp_path / "a")
    export_figure(TUNE, tmp_path / "b")
    export_figure(TUNE.replace("T:Test", "T:Another title"), tmp_path / "c")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()  # no system font chosen
    first, other = title_band(tmp_path / "a.png"), title_band(tmp_path / "c.png")
    assert first.min() < 100 and other.min() < 100  # the titles are drawn: dark pixels on white
    assert (first < 128).sum() < (other < 128).sum()  # and they are the text: a longer title has more ink


def test_export_figure_writes_nothing_for_garbage(tmp_path):
    assert not export_figure("qqq", tmp_path / "tune").ok
    assert list(tmp_path.iterdir()) == []


# --- audio through a General MIDI soundfont, the NumPy synthesizer as the fallback, and saved tunes -------------


@pytest.fixture
def system_soundfont(monkeypatch) -> Path:
    """The installed Debian soundfont that render_audio finds by itself (MUSICRNN_SOUNDFONT unset), or a skip."""
    monkeypatch.delenv(SOUNDFONT_VARIABLE, raising=False)
    installed = [path for path in SYSTEM_SOUNDFONTS if path.is_file()]
    if not installed or render.tinysoundfont is None:
        pytest.skip("no General MIDI soundfont (apt-get install timgm6mb-soundfont) or no tinysoundfont")
    return installed[0]


def test_a_soundfont_plays_the_tune_at_its_pitches_and_is_named(system_soundfont):
    result = render_audio(TUNE, sample_rate=22050)
    assert result.ok, result.message
    assert result.synthesizer == f"{system_soundfont.stem} soundfont via tinysoundfont"
    assert result.samples.dtype == np.float32 and np.abs(result.samples).max() <= 1.0
    assert np.sqrt(np.mean(result.samples**2)) > 0.05
    # 3 s of notes, then one second for the last note to ring out
    assert len(result.samples) / 22050 == pytest.approx(3.0 + render.SOUNDFONT_RELEASE_S, abs=0.05)
    assert dominant_frequency(result.samples[: int(0.24 * 22050)], 22050) == pytest.approx(392.0, abs=4)


def test_the_soundfont_named_by_the_environment_comes_first(system_soundfont, tmp_path, monkeypatch):
    chosen = tmp_path / "MyPiano.sf2"
    chosen.symlink_to(system_soundfont)
    monkeypatch.setenv(SOUNDFONT_VARIABLE, str(chosen))
    assert render_audio(TUNE, sample_rate=8000).synthesizer == "MyPiano soundfont via tinysoundfont"


@pytest.mark.parametrize("soundfont", ["missing.sf2", "not-a-soundfont.sf2"])
def test_an_unusable_soundfont_falls_back_to_the_numpy_synthesizer_and_says_why(soundfont, tmp_path, monkeypatch):
    (tmp_path / "not-a-soundfont.sf2").write_bytes(b"RIFF\x10\x00\x00\x00sfbkLIST not really a soundfont")
    monkeypatch.setenv(SOUNDFONT_VARIABLE, str(tmp_path / soundfont))
    result = render_audio(TUNE, sample_rate=8000)
    assert result.ok, result.message
    assert result.synthesizer.startswith(f"{NUMPY_SYNTHESIZER} (") and soundfont in result.synthesizer
    np.testing.assert_array_equal(result.samples, synthesize(TUNE, sample_rate=8000).samples)


def test_without_tinysoundfont_the_numpy_synthesizer_plays_and_says_so(monkeypatch):
    monkeypatch.delenv(SOUNDFONT_VARIABLE, raising=False)
    monkeypatch.setattr(render, "tinysoundfont", None)
    why = "tinysoundfont is not installed" if choose_soundfont()[0] else NO_SOUNDFONT
    assert render_audio(TUNE, sample_rate=8000).synthesizer == f"{NUMPY_SYNTHESIZER} ({why})"


def test_the_audio_player_names_its_synthesizer():
    player = audio_player(TUNE, sample_rate=8000)
    assert "<audio" in player.data and "data:audio/wav;base64," in player.data
    assert html.escape(render_audio(TUNE, sample_rate=8000).synthesizer) in player.data
    assert "<audio" not in audio_player("qqq").data


def test_export_tune_writes_abc_midi_and_wav(tmp_path):
    result = export_tune(TUNE.removeprefix("X:1\n"), tmp_path / "saved" / "my.tune", sample_rate=8000)
    assert result.ok, result.message
    abc, midi, wav = tune_files(tmp_path / "saved" / "my.tune")
    assert [abc.name, midi.name, wav.name] == ["my.tune.abc", "my.tune.mid", "my.tune.wav"]
    assert abc.read_text() == TUNE  # an X: field added where the tune has none
    notes = [m.note for m in mido.MidiFile(midi) if m.type == "note_on" and m.velocity > 0]
    assert notes == PITCHES
    with wave.open(str(wav)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, 8000)
        frames = np.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2")
    assert len(frames) == len(result.samples) > 0 and np.abs(frames).max() > 1000


def test_export_tune_writes_nothing_for_a_tune_that_cannot_be_played(tmp_path):
    assert not export_tune("X:1\nK:G\nzz|qqq|||%%%\n", tmp_path / "saved" / "rests").ok
    assert list(tmp_path.iterdir()) == []
