"""The generator and neuron notebooks in a real JupyterLab, worked in headless Chromium as a student works them.

`nbconvert --execute` never clicks anything: a missing widget front end, a callback that raises or an output
that never appears passes it. These tests start JupyterLab from the project's .venv on a scratch copy of the
project as the session's notebooks (tests/quick_project.py) left it after 03_train, in the quick profile; they
run every cell from the Run menu, then move sliders, type seeds, pick tunes and press buttons. Screenshots land
in artifacts/browser/.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from browser_support import (
    ACTIVE_NOTEBOOK,
    ARTIFACTS,
    labelled,
    launch_chromium,
    log_console_text,
    open_notebook,
    press_slider,
    require_chromium,
    run_all_cells,
    running_jupyterlab,
    save_screenshot,
    sync_playwright,
    wait_until,
)

WIDGET_TIMEOUT_S = 60  # one Generate, or one redraw of a heatmap, on a busy 2-core machine


@pytest.fixture(scope="module")
def student_project(quick_project, tmp_path_factory):
    """A scratch copy of the project (notebooks, shipped models) as the session's notebooks left it after 03_train."""
    run = quick_project.run("03_train.ipynb")
    assert run.failure is None, f"the notebooks before the browser's could not run: {run.failure}"
    return quick_project.copy_after("03_train.ipynb", tmp_path_factory.mktemp("browser") / "project")


@pytest.fixture(scope="module")
def lab(student_project, tmp_path_factory):
    with running_jupyterlab(
        student_project, tmp_path_factory.mktemp("jupyter"), log=ARTIFACTS / "jupyterlab.log"
    ) as server:
        yield server


@pytest.fixture(scope="module")
def playwright():
    """Playwright's driver; one per module, since its sync API cannot nest."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright):
    chromium = launch_chromium(playwright)
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()


# --- the generator panel (04_generate) ----------------------------------------------------------------------

GENERATOR_OUTPUTS = ", ".join(
    f"{ACTIVE_NOTEBOOK} .generator-{name} .jp-OutputArea-output" for name in ("abc", "notation", "audio")
)

FRESH_GENERATOR_OUTPUTS = """() => {
  const fresh = name => [...document.querySelectorAll(
    `.jp-NotebookPanel:not(.lm-mod-hidden) .generator-${name} .jp-OutputArea-output:not([data-test-seen])`)];
  return {
    abc: fresh('abc').map(e => {
      const pre = e.querySelector('pre.abc-text');
      return pre ? {text: pre.textContent} : {message: e.textContent};
    }),
    notation: fresh('notation').map(e => {
      const img = e.querySelector('img');
      if (!img) return {message: e.textContent};
      return {src: img.src.slice(0, 40), loaded: img.complete, width: img.naturalWidth};
    }),
    audio: fresh('audio').map(e => {
      const audio = e.querySelector('audio');
      if (!audio) return {message: e.textContent};
      const source = audio.querySelector('source') || audio;
      return {src: source.src.slice(0, 30), duration: Number.isFinite(audio.duration) ? audio.duration : 0};
    }),
  };
}"""


@dataclass
class GeneratedOnPage:
    abc: str
    notation: dict
    audio: dict


def set_seed(page, seed: int) -> None:
    """Type a seed into the panel's seed box and press Enter, which sends it to the kernel."""
    box = page.locator(f"{ACTIVE_NOTEBOOK} .generator-seed input")
    box.fill(str(seed))
    box.press("Enter")


def click_generate(page) -> GeneratedOnPage:
    """Press Generate; wait for new ABC text, notation and audio in the panel, and check each one."""
    page.evaluate(
        "selector => document.querySelectorAll(selector).forEach(e => e.setAttribute('data-test-seen', ''))",
        GENERATOR_OUTPUTS,
    )
    page.locator(f"{ACTIVE_NOTEBOOK} .generator-generate").click()

    def shown():
        outputs = page.evaluate(FRESH_GENERATOR_OUTPUTS)
        notation_ready = outputs["notation"] and all(o.get("loaded", True) for o in outputs["notation"])
        audio_ready = outputs["audio"] and all(o.get("duration", 1) > 0 for o in outputs["audio"])
        return outputs if outputs["abc"] and notation_ready and audio_ready else None

    outputs = wait_until(
        shown,
        WIDGET_TIMEOUT_S,
        lambda: (
            "Generate did not show new ABC text, notation and audio; new outputs on the page: "
            f"{page.evaluate(FRESH_GENERATOR_OUTPUTS)}; JupyterLab's log console: {log_console_text(page)}"
        ),
    )
    abc, notation, audio = outputs["abc"][0], outputs["notation"][0], outputs["audio"][0]
    assert "text" in abc and abc["text"].strip(), f"Generate showed no ABC text but: {abc}"
    assert notation.get("src", "").startswith("data:image/svg+xml"), f"no engraved notation (SVG) but: {notation}"
    assert notation["width"] > 0, f"the notation SVG did not render as an image: {notation}"
    assert audio.get("src", "").startswith("data:audio/"), f"no audio player but: {audio}"
    return GeneratedOnPage(abc["text"], notation, audio)


@pytest.mark.browser
@pytest.mark.slow
def test_generator_panel_composes_in_jupyterlab(lab, page):
    panel = page.locator(f"{ACTIVE_NOTEBOOK} .widget-vbox").filter(has=page.locator(".generator-generate")).first
    try:  # the screenshot is saved whatever happens, so a failure can be seen too
        open_notebook(page, lab, "notebooks/04_generate.ipynb")
        run_all_cells(page, timeout_s=300)
        panel.wait_for(timeout=WIDGET_TIMEOUT_S * 1000)
        # The quick profile's one-epoch model writes text without a K: field, which cannot be engraved; the
        # model shipped with the package writes tunes, so the test picks it, as a student would.
        labelled(panel, "widget-dropdown", "model").locator("select").select_option(label="shipped baseline")
        temperature = page.locator(f"{ACTIVE_NOTEBOOK} .generator-temperature")
        press_slider(temperature, "ArrowLeft", 8)
        wait_until(
            lambda: temperature.locator(".widget-readout").inner_text() == "0.60",
            10,
            lambda: f"the temperature slider reads {temperature.locator('.widget-readout').inner_text()}, not 0.60",
        )

        set_seed(page, 7)
        first = click_generate(page)
        set_seed(page, 8)
        second = click_generate(page)
        assert second.abc != first.abc, "seeds 7 and 8 gave the same tune"
        set_seed(page, 7)
        again = click_generate(page)
        assert again.abc == first.abc, f"seed 7 gave another tune the second time:\n{first.abc}\n---\n{again.abc}"
    finally:
        save_screenshot(page, panel, "04_generate")


# --- the neuron panel (06_neurons) --------------------------------------------------------------------------


def heatmap_sources(panel) -> list[str]:
    """The sources of the panel's heatmap images that the browser has decoded (an Image widget's blob URLs)."""
    loaded = "images => images.filter(image => image.complete && image.naturalWidth > 0).map(image => image.src)"
    return panel.locator("img.widget-image").evaluate_all(loaded)


def wait_for_new_heatmap(panel, before: str | None, what: str) -> str:
    """Wait until the panel shows one heatmap image other than before, and return its src."""

    def changed() -> str | None:
        sources = heatmap_sources(panel)
        return sources[0] if len(sources) == 1 and sources[0] != before else None

    return wait_until(
        changed,
        WIDGET_TIMEOUT_S,
        lambda: (
            f"the heatmap did not change after {what}; the panel says: "
            f"{panel.locator('.widget-html').all_inner_texts()}; "
            f"JupyterLab's log console: {log_console_text(panel.page)}"
        ),
    )


@pytest.mark.browser
@pytest.mark.slow
def test_neuron_panel_redraws_in_jupyterlab(lab, page):
    has_neuron_slider = labelled(page, "widget-slider", "neuron")
    panel = page.locator(f"{ACTIVE_NOTEBOOK} .widget-vbox").filter(has=has_neuron_slider).first
    neuron, tune = labelled(panel, "widget-slider", "neuron"), labelled(panel, "widget-dropdown", "tune")
    try:
        open_notebook(page, lab, "notebooks/06_neurons.ipynb")
        run_all_cells(page, timeout_s=480)
        panel.wait_for(timeout=WIDGET_TIMEOUT_S * 1000)
        first = wait_for_new_heatmap(panel, None, "running the notebook")
        assert first.startswith("blob:"), f"the heatmap is not the Image widget's picture: {first[:40]}"

        press_slider(neuron, "ArrowRight", 5)
        wait_until(
            lambda: neuron.locator(".widget-readout").inner_text() == "5",
            10,
            lambda: f"the neuron slider reads {neuron.locator('.widget-readout').inner_text()}, not 5",
        )
        second = wait_for_new_heatmap(panel, first, "moving the neuron slider to 5")
        wait_until(
            lambda: "unit 5 " in " ".join(panel.locator(".widget-html").all_inner_texts()),
            WIDGET_TIMEOUT_S,
            lambda: f"the panel does not name unit 5: {panel.locator('.widget-html').all_inner_texts()}",
        )

        select = tune.locator("select")
        before = select.input_value()
        select.select_option(index=1)
        assert select.input_value() != before
        wait_for_new_heatmap(panel, second, f"picking the tune {select.input_value()!r}")
    finally:
        save_screenshot(page, panel, "06_neurons")


# --- a browser that cannot start fails clearly ------------------------------------------------------------


@pytest.mark.browser
def test_a_missing_chromium_fails_naming_its_path(tmp_path):
    missing = tmp_path / "chromium"
    with pytest.raises(pytest.fail.Exception, match=f"no Chromium executable at {missing}.*apt-get install"):
        require_chromium(missing)


@pytest.mark.browser
def test_a_chromium_that_never_starts_fails_within_the_timeout(playwright, tmp_path):
    hanging = tmp_path / "chromium"
    hanging.write_text("#!/bin/sh\nexec sleep 600\n")
    hanging.chmod(0o755)
    started = time.monotonic()
    with pytest.raises(pytest.fail.Exception, match=f"Chromium at {hanging} did not start within 3 s"):
        launch_chromium(playwright, hanging, timeout_s=3)
    assert time.monotonic() - started < 60
