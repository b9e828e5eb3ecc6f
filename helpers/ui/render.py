"""ABC tune -> engraved notation (SVG, PNG), MIDI and audio, with a message instead of an error for bad text.

Audio comes from a General MIDI soundfont played by tinysoundfont when both are installed, and otherwise from a
small NumPy synthesizer that needs nothing but NumPy; every rendering names the synthesizer that made it.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
import signal
import subprocess
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import mido
import numpy as np
import resvg_py
from IPython.display import HTML, SVG, Audio, DisplayObject

from helpers.abc.reader import header_fields

__all__: list[str] = []  # nothing here is used outside helpers.ui

try:  # optional: without it the NumPy synthesizer plays the tunes
    import tinysoundfont
except ImportError:
    tinysoundfont = None

# Verovio's ABC reader can crash the whole process (segfault, abort) on malformed text, so it runs in a child
# process that is killed after a time limit. Pin verovio 5.7: 6.x also crashes writing the MIDI of ordinary tunes
# with two repeated parts (|: ... :| twice). Options: a 900 px wide page as tall as the tune, no footer.
VEROVIO_OPTIONS = {
    "inputFrom": "abc",
    "pageWidth": 2000,
    "pageHeight": 60000,
    "adjustPageHeight": True,
    "scale": 45,
    "footer": "none",
    "xmlIdChecksum": True,
}
VEROVIO_TIMEOUT_S = 10.0
# The PNG of an engraving (the report's copy): three times the SVG's size, about 430 dpi across the report's text
# width. Its text (the title) is set in matplotlib's DejaVu Serif and no system font, so every machine writes the
# same image; the notes are Verovio's own paths.
PNG_ZOOM = 3.0
PNG_FONTS = {
    "skip_system_fonts": True,
    "font_dirs": [str(Path(matplotlib.get_data_path()) / "fonts" / "ttf")],
    "serif_family": "DejaVu Serif",
    "font_family": "DejaVu Serif",
}
MAX_AUDIO_SECONDS = 60.0
NOTE_MARK = 'class="note"'
# Where the soundfont is looked for: this variable, else the first of these Debian soundfonts that is installed.
SOUNDFONT_VARIABLE = "MUSICRNN_SOUNDFONT"
SYSTEM_SOUNDFONTS = (Path("/usr/share/sounds/sf2/TimGM6mb.sf2"), Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"))
NUMPY_SYNTHESIZER = "NumPy plucked-string synthesizer"
NO_SOUNDFONT = "install timgm6mb-soundfont for a piano sound"
# A soundfont's notes ring on after their note-off: this much is kept after the last one.
SOUNDFONT_RELEASE_S = 1.0
# Verovio's MIDI names no instrument: every channel but General MIDI's drums (10, or 9 from 0) plays program 0, the
# acoustic grand piano, unless the MIDI file changes it.
DRUM_CHANNEL, MIDI_CHANNELS = 9, 16
PEAK = 0.8
# A saved tune: its ABC text, verovio's MIDI and a WAV of its audio (16-bit mono).
TUNE_FILE_SUFFIXES = (".abc", ".mid", ".wav")
SAVED_AUDIO_SECONDS = 600.0

VEROVIO_JOB = """
import json, sys
import verovio
verovio.enableLog(verovio.LOG_WARNING)
job = json.load(sys.stdin)
toolkit = verovio.toolkit()
toolkit.setOptions(job["options"])
result = {"loaded": toolkit.loadData(job["abc"]), "pages": toolkit.getPageCount()}
if result["loaded"] and result["pages"] > 0:
    result["output"] = toolkit.renderToSVG(1) if job["output"] == "svg" else toolkit.renderToMIDI()
json.dump(result, sys.stdout)
"""


@dataclass(frozen=True, eq=False)
class Rendered:
    """What one rendering produced (svg, midi or samples), or a short message saying why it produced nothing."""

    svg: str | None = None
    midi: bytes | None = None
    samples: np.ndarray | None = None
    sample_rate: int | None = None
    synthesizer: str | None = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.message is None


def text_problem(abc: str) -> str | None:
    """Why verovio cannot even try this text (not a str, empty, no K: field), or None."""
    if not isinstance(abc, str):
        return f"expected the tune as a str of ABC text, got {type(abc).__name__}"
    if not abc.strip():
        return "empty tune text: nothing to render"
    if "K" not in header_fields(abc):
        return "no K: (key) field: an ABC tune needs one before its notes"
    return None


def with_x_field(abc: str) -> str:
    """The tune with an X: line first when it has none: verovio crashes on a tune without one."""
    has_x = any(line.startswith("X:") for line in abc.splitlines())
    return abc if has_x else "X:1\n" + abc


def last_log_line(stderr: str) -> str:
    """The last thing verovio logged, shortened, or '' when it logged nothing."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1][:160] if lines else ""


def signal_name(number: int) -> str:
    """'SIGSEGV' for 11, or 'signal N' for a number Python does not name."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def check_positive(name: str, value: float) -> None:
    """A ValueError naming the argument unless value is a positive number (seconds, say)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def run_verovio(abc: str, output: str, timeout_s: float = VEROVIO_TIMEOUT_S) -> Rendered:
    """Verovio's 'svg' or 'midi' for one tune, from a child process that cannot crash or hang the caller."""
    check_positive("timeout_s", timeout_s)
    problem = text_problem(abc)
    if problem:
        return Rendered(message=problem)
    job = json.dumps({"abc": with_x_field(abc), "output": output, "options": VEROVIO_OPTIONS})
    try:
        # Bytes, not text=True: verovio may log part of a multi-byte character, which must not fail the decoding.
        child = subprocess.run(
            [sys.executable, "-I", "-c", VEROVIO_JOB], input=job.encode(), capture_output=True, timeout=timeout_s
        )
    except subprocess.TimeoutExpired:
        return Rendered(message=f"verovio took longer than {timeout_s:g} s on this ABC and was stopped")
    log = last_log_line(child.stderr.decode("utf-8", errors="replace"))
    if child.returncode < 0:
        return Rendered(message=f"verovio crashed reading this ABC ({signal_name(-child.returncode)})")
    if child.returncode != 0:
        return Rendered(message=f"verovio failed: {log}")
    try:
        result = json.loads(child.stdout)
    except ValueError:
        return Rendered(message=f"verovio gave no readable answer: {log or child.stdout[:160]!r}")
    if not result["loaded"] or result["pages"] == 0:
        return Rendered(message=f"verovio could not read this ABC: {log or 'no reason given'}")
    if output == "svg":
        return Rendered(svg=result["output"])
    return Rendered(midi=base64.b64decode(result["output"]))


def engrave_svg(abc: str, timeout_s: float = VEROVIO_TIMEOUT_S) -> Rendered:
    """Standard notation of one ABC tune as one SVG page (900 px wide, as tall as the tune), or a message."""
    result = run_verovio(abc, "svg", timeout_s)
    if result.svg is not None and NOTE_MARK not in result.svg:
        return Rendered(message="verovio read this ABC but found no notes in it")
    return result


def midi_bytes(abc: str, timeout_s: float = VEROVIO_TIMEOUT_S) -> Rendered:
    """A standard MIDI file of one ABC tune (120 quarter notes a minute unless Q: says otherwise), or a message."""
    result = run_verovio(abc, "midi", timeout_s)
    if result.midi is not None and not midi_notes(result.midi):
        return Rendered(message="verovio read this ABC but found no notes to play")
    return result


def midi_notes(midi: bytes) -> list[tuple[float, float, int, int]]:
    """(start s, end s, MIDI pitch, velocity) of every note in a MIDI file, in start order; [] if unreadable."""
    try:
        messages = list(mido.MidiFile(file=io.BytesIO(midi)))
    except (OSError, EOFError, ValueError, KeyError, IndexError):
        return []
    notes, sounding, now = [], {}, 0.0
    for message in messages:
        now += message.time
        if message.type not in ("note_on", "note_off"):
            continue
        key = (message.channel, message.note)
        if key in sounding:
            start, velocity = sounding.pop(key)
            notes.append((start, now, message.note, velocity))
        if message.type == "note_on" and message.velocity > 0:
            sounding[key] = (now, message.velocity)
    return sorted(notes)


def pluck(frequency: float, seconds: float, sample_rate: int) -> np.ndarray:
    """One plucked-string-like tone: a few decaying harmonics, a 5 ms attack and a 20 ms release."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    harmonics = [(1, 1.0), (2, 0.4), (3, 0.2), (4, 0.1)]
    tone = sum(weight * np.sin(2 * np.pi * k * frequency * t) * np.exp(-1.5 * k * t) for k, weight in harmonics)
    envelope = np.minimum(1.0, np.minimum(t / 0.005, (seconds - t) / 0.02))
    return (tone * np.clip(envelope, 0.0, 1.0)).astype(np.float32)


def normalized(audio: np.ndarray) -> np.ndarray:
    """The samples scaled so that their peak is PEAK (silence stays silence): every synthesizer sounds as loud."""
    peak = float(np.abs(audio).max(initial=0.0))
    return (audio * (PEAK / peak) if peak > 0 else audio).astype(np.float32)


def notes_to_audio(
    notes: list[tuple[float, float, int, int]], sample_rate: int, max_seconds: float = MAX_AUDIO_SECONDS
) -> np.ndarray:
    """Mono float32 samples in [-1, 1] of the notes, cut at max_seconds."""
    end = min(max((note[1] for note in notes), default=0.0), max_seconds)
    audio = np.zeros(int(np.ceil(end * sample_rate)), dtype=np.float32)
    for start, stop, pitch, velocity in notes:
        if start >= end:
            continue
        tone = pluck(440.0 * 2 ** ((pitch - 69) / 12), min(stop, end) - start, sample_rate) * (velocity / 127)
        first = int(start * sample_rate)
        audio[first : first + len(tone)] += tone[: len(audio) - first]
    return normalized(audio)


class SoundfontUnusable(Exception):
    """Why the soundfont cannot play a tune: the caller falls back to the NumPy synthesizer and says why."""


def choose_soundfont() -> tuple[Path | None, str]:
    """The soundfont to play tunes with, or None and why there is none.

    A path in MUSICRNN_SOUNDFONT is the user's explicit choice: if it is not a file, the answer is None (and the
    reason names it) rather than another soundfont that the user did not ask for.
    """
    chosen = os.environ.get(SOUNDFONT_VARIABLE, "").strip()
    if chosen:
        path = Path(chosen).expanduser()
        return (path, "") if path.is_file() else (None, f"{SOUNDFONT_VARIABLE}={chosen} is not a file")
    installed = [path for path in SYSTEM_SOUNDFONTS if path.is_file()]
    return (installed[0], "") if installed else (None, NO_SOUNDFONT)


def soundfont_name(soundfont: Path) -> str:
    """'TimGM6mb soundfont via tinysoundfont': what the audio player says played the tune."""
    return f"{soundfont.stem} soundfont via tinysoundfont"


def soundfont_audio(midi: bytes, soundfont: Path, sample_rate: int, max_seconds: float) -> np.ndarray:
    """Mono float32 samples of the MIDI file played by a General MIDI soundfont; SoundfontUnusable if it cannot."""
    if tinysoundfont is None:
        raise SoundfontUnusable("tinysoundfont is not installed")
    synth = tinysoundfont.Synth(samplerate=sample_rate)
    try:
        soundfont_id = synth.sfload(str(soundfont))
        for channel in set(range(MIDI_CHANNELS)) - {DRUM_CHANNEL}:
            synth.program_select(channel, soundfont_id, 0, 0)
        events = tinysoundfont.midi.load_memory(midi)
    except (RuntimeError, tinysoundfont.SoundFontException) as error:
        raise SoundfontUnusable(f"could not play {soundfont} as a General MIDI soundfont: {error}") from error
    tinysoundfont.Sequencer(synth).add(events)
    end = min(max((note[1] for note in midi_notes(midi)), default=0.0) + SOUNDFONT_RELEASE_S, max_seconds)
    stereo = np.frombuffer(synth.generate(int(np.ceil(end * sample_rate))), dtype=np.float32).reshape(-1, 2)
    return normalized(stereo.mean(axis=1))


def check_audio_settings(sample_rate: int, max_seconds: float) -> None:
    """A ValueError naming the first bad audio setting (run_verovio checks the time limit)."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int) or sample_rate < 1000:
        raise ValueError(f"sample_rate must be a whole number of at least 1000 Hz, got {sample_rate!r}")
    check_positive("max_seconds", max_seconds)


def synthesize(
    abc: str, sample_rate: int = 22050, max_seconds: float = MAX_AUDIO_SECONDS, timeout_s: float = VEROVIO_TIMEOUT_S
) -> Rendered:
    """Audio samples of one ABC tune from the NumPy synthesizer (a plucked tone per note, at most max_seconds)."""
    return render_audio(abc, sample_rate, max_seconds, timeout_s, soundfont=False)


def render_audio(
    abc: str,
    sample_rate: int = 22050,
    max_seconds: float = MAX_AUDIO_SECONDS,
    timeout_s: float = VEROVIO_TIMEOUT_S,
    soundfont: bool = True,
) -> Rendered:
    """Audio samples of one ABC tune, and the name of the synthesizer that made them, or a message.

    With soundfont=True a General MIDI soundfont (see choose_soundfont) plays it and sounds like an instrument;
    without one, or when it fails, the NumPy synthesizer does, and its name says why no soundfont was used.
    """
    check_audio_settings(sample_rate, max_seconds)
    result = midi_bytes(abc, timeout_s)
    if not result.ok:
        return result
    synthesizer = NUMPY_SYNTHESIZER
    if soundfont:
        path, why_not = choose_soundfont()
        try:
            if path is not None:
                samples = soundfont_audio(result.midi, path, sample_rate, max_seconds)
                return Rendered(
                    midi=result.midi, samples=samples, sample_rate=sample_rate, synthesizer=soundfont_name(path)
                )
        except SoundfontUnusable as error:
            why_not = str(error)
        synthesizer = f"{NUMPY_SYNTHESIZER} ({why_not})"
    samples = notes_to_audio(midi_notes(result.midi), sample_rate, max_seconds)
    return Rendered(midi=result.midi, samples=samples, sample_rate=sample_rate, synthesizer=synthesizer)


def wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """A WAV file (16-bit mono PCM) of float samples in [-1, 1]."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.tobytes())
    return buffer.getvalue()


def tune_files(path: Path | str) -> list[Path]:
    """The files export_tune writes for path: path.abc, path.mid and path.wav (suffixes appended, not swapped)."""
    path = Path(path)
    return [path.parent / f"{path.name}{suffix}" for suffix in TUNE_FILE_SUFFIXES]


def export_tune(
    abc: str, path: Path | str, sample_rate: int = 22050, max_seconds: float = SAVED_AUDIO_SECONDS
) -> Rendered:
    """Write the tune as path.abc (with an X: field), path.mid and path.wav; write nothing if it cannot be played."""
    result = render_audio(abc, sample_rate, max_seconds)
    if result.ok:
        contents = [with_x_field(abc).encode("utf-8"), result.midi, wav_bytes(result.samples, sample_rate)]
        files = tune_files(path)
        files[0].parent.mkdir(parents=True, exist_ok=True)
        for file, content in zip(files, contents, strict=True):
            file.write_bytes(content)
    return result


def export_figure(abc: str, path: Path | str, timeout_s: float = VEROVIO_TIMEOUT_S) -> Rendered:
    """Write the engraving as path.svg (vector) and path.png (resvg's rendering of it, which the report prints);
    write nothing if it cannot be engraved."""
    result = engrave_svg(abc, timeout_s)
    if result.ok:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Suffixes are appended, not swapped, so a name such as "T0.5-1" keeps its dot.
        path.parent.joinpath(f"{path.name}.svg").write_text(result.svg, encoding="utf-8")
        png = resvg_py.svg_to_bytes(svg_string=result.svg, zoom=PNG_ZOOM, background="white", **PNG_FONTS)
        path.parent.joinpath(f"{path.name}.png").write_bytes(bytes(png))
    return result


def message_html(message: str) -> HTML:
    """A notebook display of a rendering's message."""
    return HTML(f'<p style="color:#a33"><b>Cannot render:</b> {html.escape(message)}</p>')


def notation_view(abc: str) -> DisplayObject:
    """The tune's notation for a notebook cell (IPython SVG), or its message as HTML."""
    result = engrave_svg(abc)
    return SVG(data=result.svg) if result.ok else message_html(result.message)


def audio_player(abc: str, sample_rate: int = 16000, max_seconds: float = 30.0) -> DisplayObject:
    """A notebook audio player for the tune and a line naming its synthesizer (HTML), or its message.

    The samples travel inside the notebook, so the player keeps them small: 16 kHz, at most 30 seconds.
    """
    result = render_audio(abc, sample_rate, max_seconds)
    if not result.ok:
        return message_html(result.message)
    player = Audio(data=result.samples, rate=result.sample_rate, normalize=False)
    line = f'<p class="audio-synthesizer"><small>played by {html.escape(result.synthesizer)}</small></p>'
    return HTML(player._repr_html_() + line)
