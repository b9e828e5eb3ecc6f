"""Results as a reader sees them: LaTeX tables and sections, and figures."""

__all__: list[str] = []  # import from its modules; each lists in __all__ what it exports
