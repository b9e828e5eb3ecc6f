"""ipywidgets panels for the notebooks: show a tune, and an interactive generator."""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets
from IPython.display import HTML, display

from helpers.rnn.sample import DEFAULT_PRIME, GeneratedTune, Sampler
from helpers.ui.render import audio_player, message_html, notation_view


def abc_html(tune: GeneratedTune) -> HTML:
    """The tune's ABC text, and whether it reached <end>."""
    ending = "reached &lt;end&gt;" if tune.finished else "stopped at the length limit"
    return HTML(f"<pre class='abc-text'>{html.escape(tune.abc)}</pre><p><i>{ending}</i></p>")


def show_tune(tune: GeneratedTune, title: str = "") -> None:
    """Display a tune as ABC text, engraved notation and an audio player (or messages saying why not)."""
    if title:
        display(HTML(f"<h4>{html.escape(title)}</h4>"))
    display(abc_html(tune), notation_view(tune.abc), audio_player(tune.abc))


class GeneratorPanel:
    """Temperature, seed, length, prime and model controls with a Generate button."""

    def __init__(self, models: dict[str, Path], seed: int = 1) -> None:
        self.models = models
        self.samplers: dict[Path, Sampler] = {}
        self.temperature = widgets.FloatSlider(1.0, min=0.1, max=3.0, step=0.05, description="temperature")
        self.seed = widgets.IntText(seed, description="seed")
        self.max_length = widgets.IntSlider(1000, min=50, max=3000, step=50, description="max length")
        self.prime = widgets.Textarea(DEFAULT_PRIME, description="prime", rows=4)
        self.model = widgets.Dropdown(options=list(models), description="model")
        self.button = widgets.Button(description="Generate", button_style="primary")
        self.abc, self.notation, self.audio = widgets.Output(), widgets.Output(), widgets.Output()
        for widget, name in (
            (self.button, "generate"),
            (self.abc, "abc"),
            (self.notation, "notation"),
            (self.audio, "audio"),
            (self.temperature, "temperature"),
            (self.seed, "seed"),
        ):
            widget.add_class(f"generator-{name}")
        self.button.on_click(lambda _: self.generate())
        controls = widgets.VBox([self.model, self.temperature, self.seed, self.max_length, self.prime, self.button])
        self.widget = widgets.VBox([controls, self.abc, self.notation, self.audio])

    def sampler(self) -> Sampler:
        path = self.models[self.model.value]
        if path not in self.samplers:
            self.samplers[path] = Sampler.from_run(path)
        return self.samplers[path]

    def generate(self) -> GeneratedTune | None:
        """Write one tune with the current settings and show it; a bad setting shows its message."""
        for output in (self.abc, self.notation, self.audio):
            output.clear_output()
        try:
            tune = self.sampler().sample(
                n=1,
                temperature=self.temperature.value,
                prime=self.prime.value,
                max_length=self.max_length.value,
                seed=self.seed.value,
            )[0]
        except ValueError as error:  # a setting the sampler refuses, e.g. a prime with unseen characters
            with self.abc:
                display(message_html(str(error)))
            return None
        with self.abc:
            display(abc_html(tune))
        with self.notation:
            display(notation_view(tune.abc))
        with self.audio:
            display(audio_player(tune.abc))
        return tune
