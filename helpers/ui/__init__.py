"""What a student sees in a notebook: engraved notation and audio, the generator and neuron panels.

Only notebooks import this package.
"""

__all__: list[str] = []  # import from its modules; each lists in __all__ what it exports
