"""What a student sees in a notebook: engraved notation and audio, the generator and neuron panels.

Only notebooks import this package.
"""
