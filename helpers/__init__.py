"""Teaching package: character-level RNNs that learn and write folk tunes in ABC notation."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from .cleaning import CleaningReport, clean_tunes  # noqa: E402
from .config import Profile, get_profile, project_paths  # noqa: E402
from .corpus import FOLK_COLLECTIONS, CorpusError, Tune, load_abc_path, load_collections, load_corpus  # noqa: E402
from .latex import write_macros  # noqa: E402
from .models import build_model  # noqa: E402
from .prepared import PreparedData, read_prepared, read_tunes, split_by_tune, write_prepared  # noqa: E402
from .run_config import RunConfig  # noqa: E402
from .stats import corpus_stats  # noqa: E402
from .tables import write_csv  # noqa: E402
from .temperature import tempered_cross_entropy  # noqa: E402
from .train import read_history, read_metrics, train_run  # noqa: E402
from .vocab import Vocabulary  # noqa: E402

__all__ = [
    "FOLK_COLLECTIONS",
    "CleaningReport",
    "CorpusError",
    "PreparedData",
    "Profile",
    "RunConfig",
    "Tune",
    "Vocabulary",
    "build_model",
    "clean_tunes",
    "corpus_stats",
    "get_profile",
    "load_abc_path",
    "load_collections",
    "load_corpus",
    "project_paths",
    "read_history",
    "read_metrics",
    "read_prepared",
    "read_tunes",
    "split_by_tune",
    "tempered_cross_entropy",
    "write_csv",
    "write_macros",
    "train_run",
    "write_prepared",
]
