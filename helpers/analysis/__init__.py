"""What the runs mean: the study and its significance tests, neurons, quality checks, novelty, comparisons."""

__all__: list[str] = []  # import from its modules; each lists in __all__ what it exports
