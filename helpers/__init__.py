"""Teaching package: character-level RNNs that learn and write folk tunes in ABC notation.

Importing it loads no TensorFlow: it gives the profile and the output paths; each step of the data flow
(corpus -> abc -> rnn -> runs/ on disk -> analysis -> report / ui) is a subpackage imported where used.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from helpers.config import Profile, ProjectPaths, RunConfig, get_profile, project_paths  # noqa: E402

__all__ = ["Profile", "ProjectPaths", "RunConfig", "get_profile", "project_paths"]
