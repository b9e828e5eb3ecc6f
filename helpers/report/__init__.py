"""Results as a reader sees them: LaTeX tables and sections, and figures."""
