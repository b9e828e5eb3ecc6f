"""What differs between the Keras backends the package trains on: devices, threads and several GPUs.

TensorFlow is the default (here, in CI, on Colab). A GPU machine that has PyTorch or JAX but no TensorFlow trains
with the same code after `KERAS_BACKEND=torch` (cuDNN LSTM and GRU) or `KERAS_BACKEND=jax`.
"""

from __future__ import annotations

import contextlib
import os
import platform

import keras

__all__: list[str] = []  # nothing here is used outside helpers.rnn


def backend() -> str:
    """The Keras backend in use: tensorflow, torch or jax."""
    return keras.backend.backend()


def gpus() -> list[str]:
    """The names of the GPUs the backend sees (empty on a CPU)."""
    if backend() == "tensorflow":
        import tensorflow as tf

        found = tf.config.list_physical_devices("GPU")
        return [tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name) for gpu in found]
    if backend() == "torch":
        import torch

        return [torch.cuda.get_device_name(index) for index in range(torch.cuda.device_count())]
    if backend() == "jax":
        import jax

        return [device.device_kind for device in jax.devices() if device.platform == "gpu"]
    return []


def set_threads(threads: int) -> None:
    """Let the backend use this many CPU threads (JAX takes its own from XLA_FLAGS before it starts)."""
    if backend() == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    elif backend() == "torch":
        import torch

        torch.set_num_threads(threads)


def threads() -> int:
    """The CPU threads the backend may use."""
    if backend() == "tensorflow":
        import tensorflow as tf

        return tf.config.threading.get_intra_op_parallelism_threads() or os.cpu_count()
    if backend() == "torch":
        import torch

        return torch.get_num_threads()
    return os.cpu_count()


def distribution_scope() -> contextlib.AbstractContextManager:
    """Under TensorFlow, MirroredStrategy over several GPUs (else the default strategy); other backends: one device."""
    if backend() != "tensorflow":
        return contextlib.nullcontext()
    import tensorflow as tf

    several = len(tf.config.list_logical_devices("GPU")) > 1
    return (tf.distribute.MirroredStrategy() if several else tf.distribute.get_strategy()).scope()


def machine_facts() -> dict:
    """The machine a run trains on: backend, CPU cores and threads, GPUs by name, operating system."""
    names = gpus()
    return {
        "backend": backend(),
        "cpu_count": os.cpu_count(),
        "threads": threads(),
        "gpus": len(names),
        "gpu_names": names,
        "platform": platform.platform(),
    }
