"""Writing result files whole or not at all: text, strict JSON and CSV rows, the forms every step saves in.

Each file is written under a temporary name in its own folder and then renamed over the target in one step,
so a reader (or a run started after a crash) sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "DamagedFileError",
    "file_sha256",
    "read_json",
    "read_json_object",
    "remove_partial_files",
    "replacing",
    "write_csv",
    "write_json",
    "write_text",
]

PARTIAL_PREFIX = ".partial-"  # what a write in progress is called; a crash can leave one behind


class DamagedFileError(ValueError):
    """A file that is there but cannot be read whole: cut short, edited by hand, or not what its name says."""


def read_json(path: Path, remedy: str) -> object:
    """The JSON value saved at path; a file that is not whole JSON is refused naming it, the fault and the remedy."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DamagedFileError(f"{path} is not valid JSON ({error}): it was cut short or edited; {remedy}") from None


def read_json_object(path: Path, remedy: str) -> dict:
    """The JSON object (dict) saved at path, refused like read_json when it is not one."""
    value = read_json(path, remedy)
    if not isinstance(value, dict):
        raise DamagedFileError(f"{path} holds a JSON {type(value).__name__}, not an object; {remedy}")
    return value


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside path to write to; when the block ends it replaces path in one step."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=PARTIAL_PREFIX, suffix=f"-{path.name}", dir=path.parent)
    os.close(handle)
    partial = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    partial.chmod(0o666 & ~umask)  # the mode a plain open() would give, not mkstemp's owner-only 0600
    try:
        yield partial
        with partial.open("rb") as written:
            os.fsync(written.fileno())  # on disk before it takes the name, so even a power cut leaves a whole file
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def remove_partial_files(folder: Path) -> None:
    """Delete what writes interrupted by a crash left in folder."""
    for partial in Path(folder).glob(f"{PARTIAL_PREFIX}*"):
        partial.unlink(missing_ok=True)


def write_text(text: str, path: Path) -> None:
    """Text as a UTF-8 file, written whole or not at all."""
    with replacing(path) as partial:
        partial.write_text(text, encoding="utf-8")


def write_json(value: object, path: Path) -> None:
    """Strict JSON (no NaN or Infinity, which other readers reject), indented, written whole or not at all."""
    try:
        text = json.dumps(value, indent=2, allow_nan=False)
    except ValueError as error:
        raise ValueError(f"refusing to write {Path(path).name}: it holds NaN or an infinity ({error})") from None
    write_text(text + "\n", path)


def write_csv(rows: Sequence[dict], path: Path) -> None:
    """Rows as a CSV file with a header of the first row's keys, written whole or not at all."""
    if not rows:
        raise ValueError(f"no rows to write to {path}")
    with replacing(path) as partial, partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
