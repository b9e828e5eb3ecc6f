"""Read folk tunes in ABC: music21's packaged collections, or the user's own files."""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass
from pathlib import Path

from helpers.abc.reader import END, START

__all__ = [
    "FOLK_COLLECTIONS",
    "Tune",
    "load_abc_path",
    "load_collections",
    "load_corpus",
    "music21_corpus_dir",
    "split_records",
]

FOLK_COLLECTIONS = {
    "oneills1850": "O'Neill's Music of Ireland (1850), Irish dance tunes and airs",
    "ryansMammoth": "Ryan's Mammoth Collection (1883), American and Irish fiddle tunes",
    "airdsAirs": "Aird's Selection of Scotch, English, Irish and Foreign Airs (1782-1803)",
    "essenFolksong": "Essen folk-song collection, mostly German and Chinese songs",
    "miscFolk": "Northumbrian minstrelsy and American fife tunes",
    "nottingham-dataset": "a two-tune sample of the Nottingham dataset",
}
# The dance-tune corpus: every packaged collection of instrumental folk tunes (about 4,300 after cleaning). The Essen
# collection is left out: its 8,500 tunes are songs (German and Chinese), a vocal idiom in another transcription style
# (no bar-line repeats, mostly 1/16 units), which would make the model a song model with some dances on the side.
DANCE_COLLECTIONS = ("oneills1850", "ryansMammoth", "airdsAirs", "miscFolk", "nottingham-dataset")
CORPUS_ALIASES = {"dance": DANCE_COLLECTIONS, "all": tuple(FOLK_COLLECTIONS)}
TUNE_FILE_SUFFIXES = (".abc", ".txt")
EXPECTED_NAMES = f"one of the aliases {list(CORPUS_ALIASES)} or some of {list(FOLK_COLLECTIONS)}"


class CorpusError(ValueError):
    """A corpus source that cannot give tunes: empty, binary, unknown, or tune-less."""


@dataclass(frozen=True)
class Tune:
    """One tune's ABC text and where it came from."""

    source: str
    text: str


def music21_corpus_dir() -> Path:
    """The corpus folder inside the installed music21 wheel."""
    import music21

    return Path(music21.__file__).resolve().parent / "corpus"


# Byte-order marks and their codecs; the UTF-32 marks first, since UTF-32-LE's begins with UTF-16-LE's.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_text(raw: bytes, path: Path) -> str:
    """The bytes as text: by their byte-order mark if they have one, else UTF-8, else Windows-1252."""
    for mark, encoding in BYTE_ORDER_MARKS:
        if raw.startswith(mark):
            try:
                return raw[len(mark) :].decode(encoding)
            except UnicodeDecodeError as error:
                raise CorpusError(
                    f"{path} starts with a {encoding.upper()} byte-order mark but is not valid {encoding.upper()} "
                    f"text (byte {error.start}); save it as UTF-8"
                ) from None
    if b"\x00" in raw[:65536]:
        raise CorpusError(
            f"{path} looks like a binary file, not ABC text: it holds NUL bytes and starts with no byte-order mark "
            f"({', '.join(encoding.upper() for _, encoding in BYTE_ORDER_MARKS)}); if it is text, save it as UTF-8"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


# Every way a line can end: CR LF, CR CR LF (CR LF converted twice), a lone CR (old Macs), and the Unicode line and
# paragraph separators (and NEL) that some editors write.
LINE_BREAK = re.compile("\r*\n|\r|[\u2028\u2029\x85]")


def read_text(path: Path) -> str:
    """A text file as str, with \\n line endings; binary or empty files, devices and FIFOs are refused."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such ABC file: {path}")
    if not path.is_file():
        raise CorpusError(f"{path} is not a regular file (a device, FIFO or socket); give an .abc or .txt file")
    text = decode_text(path.read_bytes(), path)
    if not text.strip():
        raise CorpusError(f"{path} is empty")
    return LINE_BREAK.sub("\n", text)


def is_delimiter(line: str) -> bool:
    """Whether a line is <start> or <end>, the record format's delimiters."""
    return line.strip() in (START, END)


def split_records(text: str, source: str) -> list[Tune]:
    """Tunes between <start> and <end> lines, the assignment's format; anything else is refused with its line."""
    tunes, current = [], None
    for number, line in enumerate(text.split("\n"), start=1):
        where = f"{source} line {number}"
        if line.strip() == START:
            if current is not None:
                raise CorpusError(f"{where}: <start> inside a record that has no <end> yet; add the missing <end>")
            current, opened = [], number
        elif line.strip() == END:
            if current is None:
                raise CorpusError(f"{where}: <end> without a <start> before it; remove it or add the <start>")
            tunes.append(Tune(source, "\n".join(current)))
            current = None
        elif current is not None:
            current.append(line)
        elif line.strip():
            raise CorpusError(
                f"{where}: text outside a <start>/<end> record ({line.strip()[:40]!r}); "
                "put it inside a record, or remove it"
            )
    if current is not None:
        raise CorpusError(f"{source} line {opened}: <start> without an <end>; add <end> after the tune")
    return tunes


def split_abc(text: str, source: str) -> list[Tune]:
    """Tunes of an ABC file: each starts at an X: field and ends at a blank line or the next X: field.

    A file without X: fields is cut at blank lines, and a block counts as a tune only if it has a K: field.
    """
    for number, line in enumerate(text.split("\n"), start=1):
        if is_delimiter(line):
            raise CorpusError(
                f"{source} line {number}: a {line.strip()} line in a file read as plain ABC (its first line is not "
                f"{START}); remove it, or write the whole file as {START}/{END} records"
            )
    has_x_fields = re.search(r"^X:", text, flags=re.MULTILINE) is not None
    tunes = []
    for block in re.split(r"\n[ \t]*\n", text):
        if has_x_fields:
            # Free text before the first X: of a block (file headers, notes) is not part of a tune.
            pieces = re.split(r"^(?=X:)", block, flags=re.MULTILINE)[1:]
        else:
            pieces = [block] if re.search(r"^K:", block, flags=re.MULTILINE) else []
        tunes += [Tune(source, piece.strip("\n")) for piece in pieces if piece.strip()]
    return tunes


def tunes_from_text(text: str, source: str) -> list[Tune]:
    """Tunes of one file: in the <start>/<end> format if its first line that is not blank is <start>, else plain ABC."""
    if text.lstrip().startswith(f"{START}\n") or text.strip() == START:
        return split_records(text, source)
    return split_abc(text, source)


def abc_files(path: Path) -> list[Path]:
    """The files load_abc_path reads: the file itself, or every .abc/.txt file under a folder."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in TUNE_FILE_SUFFIXES and p.is_file())
        if not files:
            raise CorpusError(f"folder {path} holds no {' or '.join(TUNE_FILE_SUFFIXES)} files")
        return files
    if path.exists():
        return [path]
    raise FileNotFoundError(f"no such ABC file or folder: {path}")


def load_abc_path(path: str | Path) -> list[Tune]:
    """All tunes in a file, or in every .abc/.txt file under a folder."""
    path = Path(path).expanduser()
    tunes = [tune for file in abc_files(path) for tune in tunes_from_text(read_text(file), file.name)]
    if not tunes:
        raise CorpusError(f"{path} holds no tunes (no X: fields, no K: fields and no <start>/<end> records)")
    return tunes


def collection_files(names: list[str] | tuple[str, ...]) -> dict[str, list[Path]]:
    """The .abc files of music21's packaged folk collections, by collection name (aliases expanded), in one order."""
    if isinstance(names, str):
        raise TypeError(f"expected a list of collection names, got the str {names!r}; load_corpus reads a spec")
    names = {member for name in names for member in CORPUS_ALIASES.get(name, (name,))}
    if not names:
        raise CorpusError(f"no collection names given; expected {EXPECTED_NAMES}")
    unknown = sorted(names - set(FOLK_COLLECTIONS))
    if unknown:
        raise CorpusError(f"unknown corpus {unknown}; expected {EXPECTED_NAMES}")
    # One order, however the spec lists them.
    return {name: sorted((music21_corpus_dir() / name).glob("*.abc")) for name in FOLK_COLLECTIONS if name in names}


def load_collections(names: list[str] | tuple[str, ...]) -> list[Tune]:
    """Tunes of music21's packaged folk collections, by name or alias ('dance', 'all'), each read once."""
    tunes = []
    for name, files in collection_files(names).items():
        for file in files:
            tunes += [Tune(name, tune.text) for tune in tunes_from_text(read_text(file), name)]
    return tunes


def is_path_spec(spec: str) -> bool:
    """Whether a corpus spec names a file or folder rather than packaged collections."""
    return "/" in spec or "\\" in spec or Path(spec).suffix != "" or Path(spec).expanduser().exists()


def spec_names(spec: str | os.PathLike) -> list[str] | None:
    """The collection names of a corpus spec, or None when it names a file or folder; a bad spec is refused."""
    if isinstance(spec, os.PathLike):
        return None
    if not isinstance(spec, str):
        raise TypeError(f"corpus spec must be a str (collection names or a path), got {spec!r}")
    if not spec.strip():
        raise CorpusError(f"empty corpus spec; expected {EXPECTED_NAMES}, or a path")
    if is_path_spec(spec):
        return None
    return [name.strip() for name in spec.split(",") if name.strip()]


def load_corpus(spec: str | os.PathLike) -> list[Tune]:
    """Tunes from a spec: 'oneills1850', 'oneills1850,ryansMammoth', 'dance', 'all', or a path."""
    names = spec_names(spec)
    return load_abc_path(spec) if names is None else load_collections(names)


def corpus_source(spec: str | os.PathLike) -> tuple[Path, list[Path]]:
    """Where a spec's tunes come from (its file or folder, or music21's corpus folder) and the files read."""
    names = spec_names(spec)
    if names is None:
        path = Path(spec).expanduser()
        return path.resolve(), [file.resolve() for file in abc_files(path)]
    return music21_corpus_dir(), [file for files in collection_files(names).values() for file in files]
