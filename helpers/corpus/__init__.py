"""Folk tunes in: load a collection or a file, clean it, split it by tune, build the vocabulary, count.

No ML library is imported here.
"""

__all__: list[str] = []  # import from its modules; each lists in __all__ what it exports
