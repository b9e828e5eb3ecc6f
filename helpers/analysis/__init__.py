"""What the runs mean: the study and its significance tests, neurons, quality checks, novelty, comparisons."""
