"""ABC -> notation, MIDI and audio; garbage text gives a message, never an exception or a crashed kernel."""

import numpy as np
import pytest

from helpers.ui.render import engrave_svg, export_figure, midi_bytes, midi_notes, synthesize

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


def test_export_figure_writes_svg_pdf_and_png(tmp_path):
    assert export_figure(TUNE, tmp_path / "figures" / "T0.5-1").ok
    assert (tmp_path / "figures" / "T0.5-1.svg").read_text().count('class="note"') == len(PITCHES)
    assert (tmp_path / "figures" / "T0.5-1.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "figures" / "T0.5-1.png").read_bytes().startswith(b"\x89PNG")


def test_export_figure_writes_nothing_for_garbage(tmp_path):
    assert not export_figure("qqq", tmp_path / "tune").ok
    assert list(tmp_path.iterdir()) == []
