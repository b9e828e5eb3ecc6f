"""The networks: Keras model, batch pipeline, training runs on disk (any backend), the NumPy sampler, temperature."""

# Registers the custom OneHot layer, so that every saved model.keras loads wherever helpers.rnn is imported.
from helpers.rnn import model as _model  # noqa: F401

__all__: list[str] = []  # import from its modules; each lists in __all__ what it exports
