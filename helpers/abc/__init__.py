"""The one ABC reader: header fields, body tokens, meter, key and bars; and the structural labels of a tune.

No ML library is imported here.
"""

__all__: list[str] = []  # import from its modules; each lists in __all__ what it exports
