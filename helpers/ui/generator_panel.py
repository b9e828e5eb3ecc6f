"""ipywidgets panels for the notebooks: show a tune, and an interactive generator."""

from __future__ import annotations

import html
import re
from pathlib import Path

import ipywidgets as widgets
from IPython.display import HTML, display

from helpers.abc.transpose import transpose_to_key
from helpers.rnn.sample import DEFAULT_PRIME, GeneratedTune, Sampler
from helpers.ui.render import audio_player, export_tune, message_html, notation_view, tune_files

__all__ = ["GeneratorPanel", "show_tune"]

VALID_ABC_EXPLANATION = (
    "the sampler only draws characters that keep the tune valid ABC: header in order, bars that fit the meter, "
    "balanced repeats"
)
# The keys the panel moves a tune to, keeping its mode (a tune in A dorian moved to "D" is in D dorian).
AS_GENERATED = "as generated"
KEY_CHOICES = (AS_GENERATED, "C", "G", "D", "A", "E", "B", "F", "Bb", "Eb")
# A saved tune's name: it becomes the file names <name>.abc, .mid and .wav, so nothing that could leave the folder.
TUNE_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")
# Device names that Windows reserves in any case and with any extension (NUL.abc is the device NUL): refused on every
# platform, so that a saved tune can be copied to, and opened on, Windows.
WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"{port}{digit}" for port in ("COM", "LPT") for digit in range(10))}
)


# The form menu: what each form asks the grammar for, in words (helpers.abc.grammar.FORMS).
FORM_CHOICES = {
    "free": "any form",
    "AABB": "two parts of 8 bars, each played twice (a reel or a jig)",
    "AB": "two parts of 8 bars, each played once",
    "AABB16": "two parts of 16 bars, each played twice",
    "AB16": "two parts of 16 bars, each played once",
}
FORM_EXPLANATION = "a form other than free writes valid ABC only, whatever the switch says"


def sampling_mode(constrained: bool, form: str = "free") -> str:
    """How a tune was sampled, in words: with the valid-ABC constraint (and a form) or freely."""
    if form != "free":
        return f"valid ABC only, in the form {form}: {FORM_CHOICES.get(form, 'its parts as named')}"
    return "valid ABC only (constrained sampling)" if constrained else "free sampling (any character)"


def abc_html(tune: GeneratedTune, mode: str = "", abc: str | None = None) -> HTML:
    """The tune's ABC text (or abc, e.g. the tune in another key), whether it reached <end>, and how it was sampled."""
    ending = "reached &lt;end&gt;" if tune.finished else "stopped at the length limit"
    made = f"; {html.escape(mode)}" if mode else ""
    text = tune.abc if abc is None else abc
    return HTML(f"<pre class='abc-text'>{html.escape(text)}</pre><p><i>{ending}{made}</i></p>")


def name_problem(name: str) -> str | None:
    """Why a saved tune cannot have this name (empty, a Windows device name, a path, characters other than
    A-Z a-z 0-9 - _), or None."""
    if not isinstance(name, str) or not name.strip():
        return "give the tune a name first"
    if name.split(".")[0].strip().upper() in WINDOWS_DEVICES:
        return (
            f"the name {name!r} is a device name that Windows reserves (CON, PRN, AUX, NUL, COM0-COM9, LPT0-LPT9, in "
            f"any case, with or without an extension): choose another, e.g. {name.split('.')[0]}-tune"
        )
    if not TUNE_NAME.fullmatch(name):
        return (
            f"the name {name!r} can hold only letters A-Z and a-z, digits, '-' and '_' (at most 100; no spaces, "
            "dots or path separators): it becomes the file names"
        )
    return None


def show_tune(tune: GeneratedTune, title: str = "") -> None:
    """Display a tune as ABC text, engraved notation and an audio player (or messages saying why not)."""
    if title:
        display(HTML(f"<h4>{html.escape(title)}</h4>"))
    display(abc_html(tune), notation_view(tune.abc), audio_player(tune.abc))


class GeneratorPanel:
    """Temperature, seed, length, prime, model, valid-ABC and form controls with a Generate button; a key to move the
    tune to (its mode kept); Save keeps the tune as shown.

    Save writes the last tune as <name>.abc, <name>.mid and <name>.wav in save_dir (results/<profile>/saved/ in
    04_generate); an existing name is refused, never overwritten. Without a save_dir the panel has no Save row.
    """

    def __init__(self, models: dict[str, Path], seed: int = 1, save_dir: Path | None = None) -> None:
        self.models = models
        self.save_dir = None if save_dir is None else Path(save_dir)
        self.samplers: dict[Path, Sampler] = {}
        self.last_tune: GeneratedTune | None = None
        self.temperature = widgets.FloatSlider(1.0, min=0.1, max=3.0, step=0.05, description="temperature")
        self.seed = widgets.IntText(seed, description="seed")
        self.max_length = widgets.IntSlider(1000, min=50, max=3000, step=50, description="max length")
        self.prime = widgets.Textarea(DEFAULT_PRIME, description="prime", rows=4)
        self.model = widgets.Dropdown(options=list(models), description="model")
        self.valid_abc = widgets.Checkbox(True, description="valid ABC only", indent=False)
        forms = [(f"{form}: {words}", form) for form, words in FORM_CHOICES.items()]
        self.form = widgets.Dropdown(options=forms, description="form")
        self.key = widgets.Dropdown(options=KEY_CHOICES, value=AS_GENERATED, description="key")
        self.button = widgets.Button(description="Generate", button_style="primary")
        self.name = widgets.Text(placeholder="e.g. my-reel_1", description="name")
        self.save_button = widgets.Button(description="Save", icon="save")
        self.abc, self.notation, self.audio = widgets.Output(), widgets.Output(), widgets.Output()
        self.saved = widgets.Output()
        for widget, name in (
            (self.button, "generate"),
            (self.abc, "abc"),
            (self.notation, "notation"),
            (self.audio, "audio"),
            (self.temperature, "temperature"),
            (self.seed, "seed"),
            (self.valid_abc, "valid-abc"),
            (self.form, "form"),
            (self.key, "key"),
            (self.name, "name"),
            (self.save_button, "save"),
            (self.saved, "saved"),
        ):
            widget.add_class(f"generator-{name}")
        self.button.on_click(lambda _: self.generate())
        self.save_button.on_click(lambda _: self.save(self.name.value))
        self.key.observe(lambda _: self.show(), names="value")
        valid_abc_row = widgets.HBox(
            [self.valid_abc, widgets.HTML(f"<small>{html.escape(VALID_ABC_EXPLANATION)}</small>")]
        )
        form_row = widgets.HBox([self.form, widgets.HTML(f"<small>{html.escape(FORM_EXPLANATION)}</small>")])
        controls = [self.model, self.temperature, self.seed, self.max_length, self.prime, valid_abc_row, form_row]
        controls += [self.key, self.button]
        save_rows = [widgets.HBox([self.name, self.save_button]), self.saved] if self.save_dir is not None else []
        self.widget = widgets.VBox([widgets.VBox(controls), self.abc, self.notation, self.audio, *save_rows])

    def sampler(self) -> Sampler:
        path = self.models[self.model.value]
        if path not in self.samplers:
            self.samplers[path] = Sampler.from_run(path)
        return self.samplers[path]

    def generate(self) -> GeneratedTune | None:
        """Write one tune with the current settings and show it; a bad setting shows its message."""
        for output in (self.abc, self.notation, self.audio, self.saved):
            output.clear_output()
        self.last_tune = None  # Save keeps the tune on show, never an earlier one
        mode = {"constrained": True} if self.valid_abc.value else {}  # free sampling is sample's default
        if self.form.value != "free":
            mode["form"] = self.form.value
        try:
            tune = self.sampler().sample(
                n=1,
                temperature=self.temperature.value,
                prime=self.prime.value,
                max_length=self.max_length.value,
                seed=self.seed.value,
                **mode,
            )[0]
        except ValueError as error:  # a setting the sampler refuses, e.g. a prime with unseen characters
            with self.abc:
                display(message_html(str(error)))
            return None
        self.last_tune = tune
        self.show()
        return tune

    def shown_abc(self) -> str:
        """The last tune's ABC in the key chosen (ValueError, saying why, when it cannot be moved there)."""
        if self.key.value == AS_GENERATED:
            return self.last_tune.abc
        return transpose_to_key(self.last_tune.abc, self.key.value)

    def show(self) -> None:
        """Show the last tune, in the key chosen, as text, notation and audio; a tune that cannot move says why."""
        for output in (self.abc, self.notation, self.audio):
            output.clear_output()
        if self.last_tune is None:
            return
        try:
            abc = self.shown_abc()
        except ValueError as error:
            abc = self.last_tune.abc
            with self.abc:
                display(message_html(f"shown as generated: {error}"))
        with self.abc:
            display(abc_html(self.last_tune, sampling_mode(self.last_tune.constrained, self.last_tune.form), abc))
        with self.notation:
            display(notation_view(abc))
        with self.audio:
            display(audio_player(abc))

    def save_problem(self, name: str) -> str | None:
        """Why the last tune cannot be saved under this name, or None."""
        if self.save_dir is None:
            return "this panel has no folder to save in: GeneratorPanel(..., save_dir=...)"
        if self.last_tune is None:
            return "generate a tune first: Save keeps the last tune generated"
        problem = name_problem(name)
        if problem:
            return problem
        taken = [file for file in tune_files(self.save_dir / name) if file.exists()]
        return f"{taken[0]} already exists: choose another name (a saved tune is never overwritten)" if taken else None

    def save(self, name: str) -> list[Path]:
        """Write the last tune as <name>.abc, .mid and .wav in save_dir; their paths, or [] and a message why not."""
        self.saved.clear_output()
        problem = self.save_problem(name)
        if problem is None:
            try:
                abc = self.shown_abc()
            except ValueError:
                abc = self.last_tune.abc  # as shown: the panel said it could not move this tune
            result = export_tune(abc, self.save_dir / name)
            problem = None if result.ok else f"this tune cannot be played, so nothing was saved: {result.message}"
        files = [] if problem else tune_files(self.save_dir / name)
        with self.saved:
            if problem:
                display(HTML(f'<p style="color:#a33"><b>Not saved:</b> {html.escape(problem)}</p>'))
            else:
                names = ", ".join(file.name for file in files)
                display(HTML(f"<p>Saved {html.escape(names)} in {html.escape(str(self.save_dir))}</p>"))
        return files
