"""The reference prepared data: what a notebook uses when the student's split is missing or fails its check.

The student edition ships it in reference/data/<profile tag>/, prepared by the package itself when the edition is
built (it holds no answer, only its output). In the project, the package prepares it when it is asked for.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers.config import Profile, project_root
from helpers.corpus.split import (
    MANIFEST,
    PreparedData,
    input_differences,
    prepare_corpus,
    prepared_inputs,
    read_prepared,
)

__all__ = ["prepared_or_reference", "reference_folder", "use_reference_data", "write_reference_data"]

REFERENCE_DATA = Path("reference") / "data"
MACHINE_INPUTS = ("corpus_path",)  # where the corpus lies differs between machines; its bytes do not


def reference_folder(profile: Profile, root: Path | None = None) -> Path:
    return (Path(root) if root else project_root()) / REFERENCE_DATA / profile.tag


def write_reference_data(profiles: list[Profile], root: Path) -> list[Path]:
    """Prepare each profile's data with the package into root/reference/data/<tag> (the edition's build)."""
    written = []
    for profile in profiles:
        folder = reference_folder(profile, root)
        prepare_corpus(profile.corpus, profile.seed, folder, profile.max_tunes, profile=profile.name)
        written.append(folder)
    return written


def use_reference_data(profile: Profile, folder: Path, root: Path | None = None) -> PreparedData:
    """Put the reference prepared data of this profile in folder (replacing what is there) and read it."""
    folder, source = Path(folder), reference_folder(profile, root)
    if not (source / MANIFEST).is_file():  # the project itself: the package prepares it
        shutil.rmtree(folder, ignore_errors=True)
        return prepare_corpus(profile.corpus, profile.seed, folder, profile.max_tunes, profile=profile.name)
    shipped = read_prepared(source)
    wanted = prepared_inputs(profile.corpus, profile.seed, profile.max_tunes)
    differences = [
        difference
        for difference in input_differences(shipped.manifest.get("inputs", {}), wanted)
        if difference.split(":")[0] not in MACHINE_INPUTS
    ]
    if differences:
        raise ValueError(
            f"the reference data in {source} was prepared from other inputs ({'; '.join(differences)}), so it cannot "
            f"stand in for yours: fix your split in notebooks/01_data.ipynb"
        )
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(source, folder)
    return read_prepared(folder)


def prepared_or_reference(profile: Profile, folder: Path, root: Path | None = None) -> PreparedData:
    """The prepared data 01_data wrote in folder, else the reference data, said in one line."""
    if (Path(folder) / MANIFEST).is_file():
        return read_prepared(folder)
    print(f"⚠ no prepared data in {folder} (01_data has not run for this profile): going on with the reference data.")
    return use_reference_data(profile, folder, root)
