"""Training on another Keras backend: what a GPU machine with PyTorch or JAX but no TensorFlow runs.

CI has no GPU and no PyTorch build small enough to install, so JAX on the CPU stands in for "another backend": the
same train_run, pipeline and callbacks run under it in a child process, and the model it saves is read back here,
under TensorFlow, by the sampler and the scorer, as a model trained on a GPU machine is read on a student's laptop.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from test_train import TUNE, tiny_config, tiny_data

from helpers.corpus.load import Tune
from helpers.corpus.represent import model_data
from helpers.corpus.split import read_prepared, split_by_tune, write_prepared
from helpers.rnn.backend import machine_facts
from helpers.rnn.evaluate import nats_per_tune
from helpers.rnn.model import load_trained_model
from helpers.rnn.sample import Sampler
from helpers.rnn.train import TimeBudget, read_history, read_tune_nats, train_run

ROOT = Path(__file__).resolve().parents[2]
TRAIN_ELSEWHERE = """
import sys
from pathlib import Path
from helpers.config import RunConfig
from helpers.corpus.split import read_prepared
from helpers.rnn.train import train_run
train_run(RunConfig.load(Path(sys.argv[1])), read_prepared(Path(sys.argv[2])), Path(sys.argv[3]), verbose=0)
"""


def train_under(backend: str, tmp_path: Path, **changes) -> Path:
    """Train the tiny run in a child process under another Keras backend and return its folder."""
    tunes = [Tune("test", TUNE.format(n=n % 7)) for n in range(24)]
    write_prepared(split_by_tune(tunes, seed=0), tmp_path / "data", {"corpus": "tiny", "seed": 0})
    tiny_config(**changes).save(tmp_path / "config.json")
    environment = os.environ | {"KERAS_BACKEND": backend, "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        "-c",
        TRAIN_ELSEWHERE,
        *(str(tmp_path / name) for name in ("config.json", "data", "run")),
    ]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return tmp_path / "run"


@pytest.mark.slow
@pytest.mark.parametrize("symbols", ["chars", "tokens"])
def test_a_model_trained_under_jax_samples_and_scores_the_same_under_tensorflow(tmp_path, symbols):
    run_dir = train_under("jax", tmp_path, symbols=symbols, keys="in C", encoding="embedding", cell="LSTM")
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["machine"]["backend"] == "jax" and keras.backend.backend() == "tensorflow"
    history = read_history(run_dir)
    assert len(history) == 4 and history[-1]["loss"] < history[0]["loss"], "it trained under JAX"

    # Read here, under TensorFlow, without the JAX optimizer's state, as the package reads every model.
    model, sampler = load_trained_model(run_dir), Sampler.from_run(run_dir)
    texts = model_data(read_prepared(tmp_path / "data"), "in C")
    scored = dict(zip(texts.test_index, nats_per_tune(model, sampler.vocab, list(texts.test_tunes)), strict=True))
    saved = read_tune_nats(run_dir)
    assert scored.keys() == saved.keys()
    assert np.allclose([scored[k] for k in saved], list(saved.values()), rtol=1e-4), "same numbers on both backends"
    (tune,) = sampler.sample(n=1, max_length=40, seed=1)
    assert tune.text


def test_the_machine_facts_name_the_backend_and_its_gpus():
    facts = machine_facts()
    assert facts["backend"] == "tensorflow"
    assert facts["gpus"] == len(facts["gpu_names"]) == 0  # CI has no GPU
    assert facts["cpu_count"] == os.cpu_count() and facts["threads"] >= 1


@pytest.mark.slow
def test_a_time_budget_ends_training_after_the_epoch_that_passes_it_and_keeps_the_best(tmp_path):
    budgeted = train_run(tiny_config(epochs=3), tiny_data(), tmp_path / "budget", verbose=0, callbacks=[TimeBudget(0)])
    assert budgeted["epochs_completed"] == 1 and budgeted["stopped"] == "early"
    assert (tmp_path / "budget" / "model.keras").is_file()
    generous = train_run(
        tiny_config(epochs=3), tiny_data(), tmp_path / "whole", verbose=0, callbacks=[TimeBudget(3600)]
    )
    assert generous["epochs_completed"] == 3 and generous["stopped"] == "completed"
