"""The catalogue of bad (or odd but valid) inputs to the package's public entry points, and the judge of each outcome.

A case is handled well when the package answers with a clear message (a ValueError, TypeError or FileNotFoundError
raised in helpers/ naming the value, field or file, or a message returned) or reads an odd but valid input
correctly. tests/test_robustness.py checks every case; benchmarks/robustness.py prints them as its figure 1,
and makes its fuzz texts with mutate.
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import string
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import helpers

PACKAGE_DIR = Path(helpers.__file__).resolve().parent
CLEAR_ERRORS = (ValueError, TypeError, FileNotFoundError)
HANDLED_WELL = ("clear message", "read correctly")
FIRST = "X:1\nT:The First Reel\nM:4/4\nL:1/8\nK:D\nABcd efge|fdec d4|"
SECOND = "X:2\nT:The Second Jig\nM:6/8\nK:G\nGAB cBA|BAG E3|"
TUNE = "X:1\nT:Test\nM:6/8\nL:1/8\nK:G\nGAB cde|d3 B3|\n"
NON_ASCII_HEADER = "X:1\nT:t\n\u00e9I:x\nK:D\nabc|\n"
PREPARE = "load_corpus+clean+split"
TEN_MB = 10_000_000
UNREADABLE_FIELDS = ("M:0/4", "M:4/0", "L:1/0", "L:0", "L:abc")


@dataclass(frozen=True)
class BadInput:
    """One bad (or odd but valid) input to one entry point; names is what a clear message must mention."""

    name: str
    entry: str
    owner: str
    call: Callable[[], object]
    names: str | None = None
    valid: bool = False


@dataclass(frozen=True)
class Answer:
    """What an entry point that answers with a message or None (such as the Save button's name check) returned."""

    message: str | None


@dataclass(frozen=True)
class Outcome:
    """What one bad input got: 'clear message', 'read correctly', 'misread', 'unclear exception' or 'accepted'."""

    kind: str
    detail: str


def raised_in_package(error: BaseException) -> bool:
    """Whether the innermost frame of the error's traceback is a file of the package."""
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and Path(frames[-1].filename).resolve().is_relative_to(PACKAGE_DIR)


def outcome(case: BadInput) -> Outcome:
    """Call the entry point with the bad input and judge what came back (the value must be named before 'expected')."""
    try:
        result = case.call()
    except Exception as error:  # noqa: BLE001 - judging every exception is the point
        message = f"{type(error).__name__}: {error}"
        clear = (
            isinstance(error, CLEAR_ERRORS)
            and not isinstance(error, UnicodeError)
            and raised_in_package(error)
            and (case.names is None or case.names.lower() in str(error).split("; expected")[0].lower())
        )
        return Outcome("clear message" if clear else "unclear exception", message)
    returned = getattr(result, "message", None)
    if isinstance(returned, str) and returned:
        return Outcome("clear message", f"returned: {returned}")
    if result is False:
        return Outcome("misread", "read without an error, but not as written")
    if case.valid:
        return Outcome("read correctly", "")
    return Outcome("accepted", f"returned {type(result).__name__} without a message")


@contextlib.contextmanager
def environment(name: str, value: str) -> Iterator[None]:
    """The environment variable set to value inside the block."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            del os.environ[name]
        else:
            os.environ[name] = previous


def write(path: Path, content: str | bytes) -> str:
    """Write a file made for one case (text as UTF-8) and give its path as a corpus spec."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


def corpus_cases(folder: Path) -> list[BadInput]:
    """Files, folders and specs that load_corpus, clean_tunes and split_by_tune meet."""
    from helpers.corpus.clean import clean_tunes
    from helpers.corpus.load import Tune, load_collections, load_corpus
    from helpers.corpus.split import split_by_tune

    def prepare(spec: str) -> object:
        """Notebook 01's data flow: load, clean, split."""
        return split_by_tune(clean_tunes(load_corpus(spec))[0], seed=1)

    def reads_two_tunes(spec: str) -> bool:
        return [tune.text for tune in load_corpus(spec)] == [FIRST, SECOND]

    two = f"{FIRST}\n\n{SECOND}\n"
    keyless = "".join(f"X:{i}\nT:Keyless {i}\nM:4/4\nABcd|\n\n" for i in range(20))
    empty_folder = folder / "no_tunes"
    write(empty_folder / "README.md", "notes\n")
    mixed = folder / "mixed"
    write(mixed / "good.abc", two)
    write(mixed / "bad.abc", b"PK\x03\x04\x00\x00" + bytes(range(256)))
    files = {
        "empty": write(folder / "empty.abc", b""),
        "blank": write(folder / "blank.abc", "\n \n\t\n"),
        "binary": write(folder / "tunes.abc", b"PK\x03\x04\x00\x00X:1\nK:G\n" + bytes(range(256))),
        "utf16": write(folder / "utf16.abc", two.encode("utf-16")),
        "utf16be": write(folder / "utf16be.abc", ("\ufeff" + two).encode("utf-16-be")),
        "utf32": write(folder / "utf32.abc", two.encode("utf-32")),
        "utf8bom": write(folder / "utf8bom.abc", two.encode("utf-8-sig")),
        "utf16-nobom": write(folder / "utf16_nobom.abc", two.encode("utf-16-le")),
        "utf16-broken": write(folder / "utf16_broken.abc", "\ufeffX:1\nK:G\n".encode("utf-16-le") + b"\x00\xdc"),
        "cr": write(folder / "mac.abc", two.replace("\n", "\r")),
        "one-line": write(folder / "one_line.abc", "abc " * (TEN_MB // 4)),
        "one-line-x": write(folder / "one_line_x.abc", "X:1 T:One line " + "abc " * (TEN_MB // 4)),
        "keyless": write(folder / "keyless.abc", keyless),
        "header-only": write(folder / "header_only.abc", "".join(f"X:{i}\nT:T{i}\nK:G\n\n" for i in range(5))),
        "comments": write(folder / "comments.abc", "% just a comment\n%% and a directive\n"),
        "unended": write(folder / "unended.txt", f"<start>\n{FIRST}\n"),
        "prose": write(folder / "notes.txt", "These are my notes on the session.\n"),
        "two-tunes": write(folder / "two.abc", two),
        "copies": write(folder / "copies.abc", "".join(f"{FIRST.replace('X:1', f'X:{i}')}\n\n" for i in range(9))),
        "cr-cr-lf": write(folder / "crcrlf.abc", two.replace("\n", "\r\r\n")),
        "u2028": write(folder / "u2028.abc", two.replace("\n", "\u2028")),
        "u2029": write(folder / "u2029.abc", two.replace("\n", "\u2029")),
        "stray-start": write(folder / "stray_start.abc", f"{FIRST}\n<start>\n\n{SECOND}\n"),
        "body-end": write(folder / "body_end.abc", f"{FIRST}\n<end>\nfga|\n"),
        "after-end": write(folder / "after_end.txt", f"<start>\n{FIRST}\n<end>\nfga|\n<end>\n"),
    }
    fifo = folder / "fifo.abc"
    os.mkfifo(fifo)

    def cleaned_away(field: str) -> bool:
        """The unreadable field is removed from the tune and counted with its reason."""
        kept, report = clean_tunes([Tune("test", FIRST.replace("M:4/4\nL:1/8", field))])
        return field not in kept[0].text and any(reason.startswith(field) for reason in report.unreadable_fields)

    missing = str(folder / "nowhere.abc")
    errors = [
        ("missing file", "load_corpus", lambda: load_corpus(missing), "nowhere.abc"),
        ("missing folder", "load_corpus", lambda: load_corpus(str(folder / "gone/")), "gone"),
        ("empty file (0 bytes)", "load_corpus", lambda: load_corpus(files["empty"]), "empty"),
        ("whitespace-only file", "load_corpus", lambda: load_corpus(files["blank"]), "empty"),
        ("binary file", "load_corpus", lambda: load_corpus(files["binary"]), "binary"),
        ("UTF-16 file without BOM", "load_corpus", lambda: load_corpus(files["utf16-nobom"]), "UTF-16"),
        ("UTF-16 BOM, invalid text", "load_corpus", lambda: load_corpus(files["utf16-broken"]), "UTF-16"),
        ("folder without .abc files", "load_corpus", lambda: load_corpus(str(empty_folder)), "no_tunes"),
        ("folder with one binary .abc", "load_corpus", lambda: load_corpus(str(mixed)), "bad.abc"),
        ("10 MB single line", "load_corpus", lambda: load_corpus(files["one-line"]), "no tunes"),
        ("comments only", "load_corpus", lambda: load_corpus(files["comments"]), "no tunes"),
        ("<start> without <end>", "load_corpus", lambda: load_corpus(files["unended"]), "line 1"),
        ("stray <start> line in .abc", "load_corpus", lambda: load_corpus(files["stray-start"]), "line 7"),
        ("body <end> line in .abc", "load_corpus", lambda: load_corpus(files["body-end"]), "line 7"),
        ("text after <end> in records", "load_corpus", lambda: load_corpus(files["after-end"]), "line 9"),
        ("a FIFO as the corpus", "load_corpus", lambda: load_corpus(str(fifo)), "not a regular file"),
        ("/dev/null as the corpus", "load_corpus", lambda: load_corpus("/dev/null"), "not a regular file"),
        ("/dev/zero as the corpus", "load_corpus", lambda: load_corpus("/dev/zero"), "not a regular file"),
        ("prose, no tunes", "load_corpus", lambda: load_corpus(files["prose"]), "no tunes"),
        ("unknown collection", "load_corpus", lambda: load_corpus("noSuchCollection"), "noSuchCollection"),
        ("collection in wrong case", "load_corpus", lambda: load_corpus("miscfolk"), "miscfolk"),
        ("known + unknown collection", "load_corpus", lambda: load_corpus("miscFolk,nope"), "nope"),
        ("only commas", "load_corpus", lambda: load_corpus(" , "), "no collection names"),
        ("empty spec", "load_corpus", lambda: load_corpus(""), "empty"),
        ("spec None", "load_corpus", lambda: load_corpus(None), "None"),
        ("spec 42", "load_corpus", lambda: load_corpus(42), "42"),
        ("names as one str", "load_collections", lambda: load_collections("miscFolk"), "miscFolk"),
        ("no names", "load_collections", lambda: load_collections([]), "no collection names"),
        ("10 MB single line after X:", PREPARE, lambda: prepare(files["one-line-x"]), "no K:"),
        ("tunes without K:", PREPARE, lambda: prepare(files["keyless"]), "no K:"),
        ("header-only tunes", PREPARE, lambda: prepare(files["header-only"]), "header only"),
        ("two tunes only", PREPARE, lambda: prepare(files["two-tunes"]), "2 tunes"),
        ("nine copies of one tune", PREPARE, lambda: prepare(files["copies"]), "1 tunes"),
        ("seed=-1", "split_by_tune", lambda: split_by_tune([], seed=-1), "seed"),
        ("seed='x'", "split_by_tune", lambda: split_by_tune([], seed="x"), "seed"),
        ("max_tunes=2", "split_by_tune", lambda: split_by_tune([], seed=0, max_tunes=2), "max_tunes"),
        ("max_tunes='5'", "split_by_tune", lambda: split_by_tune([], seed=0, max_tunes="5"), "max_tunes"),
        ("fractions=(0.5, 0.6)", "split_by_tune", lambda: split_by_tune([], 0, (0.5, 0.6)), "fractions"),
        ("fractions=(0.1,)", "split_by_tune", lambda: split_by_tune([], 0, (0.1,)), "fractions"),
    ]
    valid = [
        ("UTF-16 file with BOM", lambda: reads_two_tunes(files["utf16"])),
        ("UTF-16-BE file with BOM", lambda: reads_two_tunes(files["utf16be"])),
        ("UTF-32 file with BOM", lambda: reads_two_tunes(files["utf32"])),
        ("UTF-8 file with BOM", lambda: reads_two_tunes(files["utf8bom"])),
        ("CR-only line endings", lambda: reads_two_tunes(files["cr"])),
        ("CR CR LF line endings", lambda: reads_two_tunes(files["cr-cr-lf"])),
        ("U+2028 line separators", lambda: reads_two_tunes(files["u2028"])),
        ("U+2029 paragraph separators", lambda: reads_two_tunes(files["u2029"])),
        *((f"{field} cleaned away", lambda f=field: cleaned_away(f)) for field in UNREADABLE_FIELDS),
        ("all,oneills1850", lambda: load_corpus("all,oneills1850") == load_corpus("all")),
        ("miscFolk,miscFolk", lambda: load_corpus("miscFolk,miscFolk") == load_corpus("miscFolk")),
    ]
    return [BadInput(name, entry, "corpus", call, names) for name, entry, call, names in errors] + [
        BadInput(name, "load_corpus", "corpus", call, valid=True) for name, call in valid
    ]


def render_cases(folder: Path) -> list[BadInput]:
    """Texts and settings that the notation and audio renderers meet: each must answer, never raise."""
    from helpers.ui.render import engrave_svg, export_figure, synthesize

    texts = {
        "empty text": "",
        "blank lines": "  \n\n",
        "no K: field": "X:1\nT:t\nabc|\n",
        "empty K: (crashes verovio)": "X:1\nT:t\nK:\nabc|\n",
        "no notes": "X:1\nK:G\nzz|qqq|||%%%\n",
        "NUL and control characters": "\x00\x01\x07 }{[( K:G\n",
        "lone surrogate": "X:1\nK:G\n\ud800abc|\n",
        "100 KB of notes": "X:1\nK:G\n" + "abc|" * 25_000,
    }
    # A short time limit, so that a long text is stopped in seconds.
    cases = [
        BadInput(name, entry.__name__, "render", lambda e=entry, t=text: e(t, timeout_s=3))
        for entry in (engrave_svg, synthesize)
        for name, text in texts.items()
    ]
    for value in (None, b"X:1\nK:G\nabc|\n", 42):
        label = f"tune {type(value).__name__}"
        cases += [
            BadInput(label, "engrave_svg", "render", lambda v=value: engrave_svg(v)),
            BadInput(label, "synthesize", "render", lambda v=value: synthesize(v)),
        ]
    valid = [
        ("header line starting with \u00e9", "engrave_svg", lambda: engrave_svg(NON_ASCII_HEADER)),
        ("header line starting with \u00e9", "synthesize", lambda: synthesize(NON_ASCII_HEADER)),
        ("header line starting with \u00e9", "export_figure", lambda: export_figure(NON_ASCII_HEADER, folder / "e")),
        ("snowman in the title", "engrave_svg", lambda: engrave_svg(TUNE.replace("T:Test", "T:\u2603"))),
    ]
    cases += [BadInput(name, entry, "render", call, valid=True) for name, entry, call in valid]
    cases += [
        BadInput("garbage", "export_figure", "render", lambda: export_figure("qqq", folder / "garbage")),
        BadInput("tune None", "export_figure", "render", lambda: export_figure(None, folder / "none")),
    ]
    settings = [
        ("sample_rate", 0),
        ("sample_rate", "22050"),
        ("sample_rate", 22050.5),
        ("max_seconds", -1.0),
        ("max_seconds", math.nan),
        ("timeout_s", 0),
        ("timeout_s", "10"),
    ]
    cases += [
        BadInput(f"{name}={value!r}", "synthesize", "render", lambda n=name, v=value: synthesize(TUNE, **{n: v}), name)
        for name, value in settings
    ]
    return cases


def check_cases() -> list[BadInput]:
    """Inputs that are not tunes, for the quality checks and the structural labeller."""
    from helpers.abc.structure import label_structure
    from helpers.analysis.checks import check_tune

    cases = []
    for value in (None, b"X:1\nK:G\nabc|\n", 42):
        label = f"tune {type(value).__name__}"
        cases += [
            BadInput(label, "check_tune", "check", lambda v=value: check_tune(v, parsers=()), type(value).__name__),
            BadInput(label, "label_structure", "check", lambda v=value: label_structure(v), type(value).__name__),
        ]
    cases += [
        BadInput(
            "parsers=('lilypond',)", "check_tune", "check", lambda: check_tune(TUNE, parsers=("lilypond",)), "lilypond"
        ),
        BadInput(
            "parsers='music21' (a str)", "check_tune", "check", lambda: check_tune(TUNE, parsers="music21"), "music21"
        ),
    ]
    return cases


def profile_cases() -> list[BadInput]:
    """Profile names, given or in $MUSICRNN_PROFILE."""
    from helpers.config import PROFILE_ENV, get_profile

    def from_environment(value: str) -> object:
        with environment(PROFILE_ENV, value):
            return get_profile()

    return [
        BadInput("profile 'fast'", "get_profile", "config", lambda: get_profile("fast"), "fast"),
        BadInput("profile 'Quick'", "get_profile", "config", lambda: get_profile("Quick"), "Quick"),
        BadInput("profile ''", "get_profile", "config", lambda: get_profile(""), "''"),
        BadInput("profile 42", "get_profile", "config", lambda: get_profile(42), "42"),
        BadInput("$MUSICRNN_PROFILE=fast", "get_profile", "config", lambda: from_environment("fast"), "fast"),
        BadInput("$MUSICRNN_PROFILE=' quick'", "get_profile", "config", lambda: from_environment(" quick"), "quick"),
    ]


def run_config_cases() -> list[BadInput]:
    """One bad field of RunConfig at a time."""
    from helpers.config import RunConfig

    fields = [
        ("hidden_size", True),
        ("hidden_size", 0),
        ("hidden_size", 2.5),
        ("hidden_size", "100"),
        ("layers", 0),
        ("batch_size", -8),
        ("chunk_length", True),
        ("epochs", 0),
        ("epochs", 1.5),
        ("seed", -1),
        ("seed", "x"),
        ("seed", 1.5),
        ("dropout", "0.1"),
        ("dropout", 1.0),
        ("dropout", math.nan),
        ("learning_rate", "x"),
        ("learning_rate", math.inf),
        ("learning_rate", math.nan),
        ("learning_rate", -0.1),
        ("learning_rate", 0),
        ("cell", "lstm"),
        ("optimizer", "Adam"),
        ("encoding", "one-hot"),
        ("early_stopping_patience", 0),
    ]
    return [
        BadInput(f"{name}={value!r}", "RunConfig", "config", lambda n=name, v=value: RunConfig(**{n: v}), name)
        for name, value in fields
    ]


def sampler_cases() -> list[BadInput]:
    """One bad argument of Sampler.sample at a time, on a small untrained model."""
    from helpers.config import RunConfig
    from helpers.corpus.vocab import Vocabulary
    from helpers.rnn.model import build_model
    from helpers.rnn.sample import Sampler

    vocab = Vocabulary.from_text(f"<start>\n{TUNE}<end>\n")
    sampler = Sampler(build_model(RunConfig(cell="LSTM", hidden_size=8), vocab.size), vocab)
    arguments = [
        ("temperature", math.inf),
        ("temperature", math.nan),
        ("temperature", "1"),
        ("temperature", 0),
        ("temperature", -1),
        ("top_k", 2.5),
        ("top_k", 0),
        ("top_k", "3"),
        ("top_p", 2),
        ("top_p", 0),
        ("top_p", math.nan),
        ("seed", -1),
        ("seed", "x"),
        ("seed", 1.5),
        ("n", 0),
        ("n", 2.5),
        ("n", "2"),
        ("max_length", 0),
        ("max_length", "x"),
        ("prime", ""),
        ("prime", "\u20ac"),
        ("temperature", 1e39),
        ("temperature", 2e6),
        ("temperature", 1e-300),
        ("max_length", 10**9),
        ("n", 10**5),
        ("prime", "<start>\nX:1\nK:G\nGAB|\n<end>\n"),
    ]
    # Arguments that are each within their limit, but not together; names is what the message must mention.
    together = [({"n": 1000, "max_length": 10**7}, "max_length"), ({"n": 1000, "max_length": 50_000}, "n ×")]

    def sample(name: str, value: object) -> object:
        settings = {"n": 1, "max_length": 5} | {name: value}
        return sampler.sample(**settings)

    return [
        BadInput(f"{name}={value!r}", "Sampler.sample", "sampler", lambda n=name, v=value: sample(n, v), name)
        for name, value in arguments
    ] + [
        BadInput(
            ", ".join(f"{name}={value!r}" for name, value in settings.items()),
            "Sampler.sample",
            "sampler",
            lambda s=settings: sampler.sample(**s),
            names,
        )
        for settings, names in together
    ]


def music_cases() -> list[BadInput]:
    """Transpositions out of range, a key that music21 misreads in the grammar, and names the Save button refuses."""
    from helpers.abc.grammar import start_state
    from helpers.abc.music import pitch_sequence
    from helpers.abc.transpose import transpose
    from helpers.ui.generator_panel import name_problem

    high = "X:1\nT:High\nM:4/4\nL:1/8\nK:C\nc" + "'" * 4 + "|\n"  # MIDI 120
    cases = [
        BadInput("semitones=100", "transpose", "transpose", lambda: transpose(TUNE, 100), "semitones"),
        BadInput("semitones=-25", "transpose", "transpose", lambda: transpose(TUNE, -25), "semitones"),
        BadInput("MIDI 120 up 8 semitones", "transpose", "transpose", lambda: transpose(high, 8), "MIDI"),
        BadInput(
            "semitones=24",
            "transpose",
            "transpose",
            lambda: pitch_sequence(transpose(TUNE, 24)) == [pitch + 24 for pitch in pitch_sequence(TUNE)],
            valid=True,
        ),
        BadInput(
            "K:Dloc (music21: D major)",
            "start_state (grammar)",
            "grammar",
            lambda: start_state("<start>\nX:1\nT:A\nM:6/8\nK:Dloc\nABc|"),
            "Dloc",
        ),
    ]
    names = ("CON", "nul", "Aux.abc", "PRN", "COM1", "lpt9")
    return cases + [
        BadInput(f"name {name!r}", "GeneratorPanel.save", "save", lambda n=name: Answer(name_problem(n)))
        for name in names
    ]


def distinct_tunes(count: int) -> str:
    """An ABC text of count tunes whose notes all differ, so cleaning keeps every one."""
    return "".join(
        f"X:{i}\nT:Tune {i}\nM:4/4\nL:1/8\nK:G\n{''.join('AB'[int(bit)] for bit in f'{i:07b}')}c|\n\n"
        for i in range(count)
    )


def cut_in_half(path: Path) -> Path:
    """The file with its second half gone, as a crash or a full disk leaves it."""
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


def stored_file_cases(folder: Path) -> list[BadInput]:
    """Prepared data and run files that are stale, cut short or broken: each refused naming the file (or skipped)."""
    from helpers.config import CONFIG, DATA, METRICS, MODEL, RunConfig
    from helpers.corpus.split import prepare_corpus, read_prepared
    from helpers.corpus.vocab import Vocabulary
    from helpers.files import write_json
    from helpers.rnn.model import build_model, load_trained_model
    from helpers.rnn.runs import finished_runs
    from helpers.rnn.train import check_run_dir, read_metrics

    source = Path(write(folder / "stored" / "tunes.abc", distinct_tunes(100)))
    prepared = {name: folder / "stored" / name for name in ("ten", "edited", "cut", "manifest")}
    for path in prepared.values():
        prepare_corpus(str(source), 1, path, max_tunes=10)
    edited = Path(write(folder / "stored" / "edited_source" / "tunes.abc", distinct_tunes(100)))
    prepare_corpus(str(edited), 1, prepared["edited"] / "of_edited", max_tunes=10)
    write(edited, distinct_tunes(40))
    cut_in_half(prepared["cut"] / "train.txt")
    cut_in_half(prepared["manifest"] / "manifest.json")

    runs = folder / "stored" / "runs"
    vocab = Vocabulary.from_text(f"<start>\n{TUNE}<end>\n")
    for name in ("whole", "cut metrics", "cut model", "broken config", "broken data"):
        run = runs / name
        run.mkdir(parents=True)
        RunConfig(hidden_size=4).save(run / CONFIG)
        write_json({"fingerprint": "0123456789abcdef"}, run / DATA)
        build_model(RunConfig(hidden_size=4), vocab.size).save(run / MODEL)
        write_json({"test_loss": 1.5}, run / METRICS)
    cut_in_half(runs / "cut metrics" / METRICS)
    cut_in_half(runs / "cut model" / MODEL)
    write(runs / "broken config" / CONFIG, '{"cell": "LST')
    write(runs / "broken data" / DATA, '{"finger')
    config = RunConfig(hidden_size=4)

    errors = [
        (
            "max_tunes 90 after 10",
            "prepare_corpus",
            lambda: prepare_corpus(str(source), 1, prepared["ten"], 90),
            "max_tunes",
        ),
        ("seed 2 after 1", "prepare_corpus", lambda: prepare_corpus(str(source), 2, prepared["ten"], 10), "seed"),
        (
            "source file edited",
            "prepare_corpus",
            lambda: prepare_corpus(str(edited), 1, prepared["edited"] / "of_edited", 10),
            "source_fingerprint",
        ),
        ("train.txt cut in half", "read_prepared", lambda: read_prepared(prepared["cut"]), "train.txt"),
        ("manifest.json cut in half", "read_prepared", lambda: read_prepared(prepared["manifest"]), "manifest.json"),
        ("metrics.json cut in half", "read_metrics", lambda: read_metrics(runs / "cut metrics"), "metrics.json"),
        (
            "model.keras cut in half",
            "load_trained_model",
            lambda: load_trained_model(runs / "cut model"),
            "model.keras",
        ),
        (
            "config.json broken",
            "RunConfig.load",
            lambda: RunConfig.load(runs / "broken config" / CONFIG),
            "config.json",
        ),
        (
            "data.json broken",
            "train_run (check_run_dir)",
            lambda: check_run_dir(runs / "broken data", config, "0123456789abcdef"),
            "data.json",
        ),
    ]
    valid = [
        (
            "damaged runs not listed as finished",
            lambda: list(finished_runs(runs)) == ["broken config", "broken data", "whole"],
        )
    ]
    return [BadInput(name, entry, "stored files", call, names) for name, entry, call, names in errors] + [
        BadInput(name, "finished_runs", "stored files", call, valid=True) for name, call in valid
    ]


def all_cases(folder: Path) -> list[BadInput]:
    """The whole catalogue, owner by owner."""
    return [
        *corpus_cases(folder),
        *stored_file_cases(folder),
        *render_cases(folder),
        *check_cases(),
        *profile_cases(),
        *run_config_cases(),
        *sampler_cases(),
        *music_cases(),
    ]


# Fuzz texts: one random edit of a text (benchmarks/robustness.py, figure 2, makes its inputs with it).
ABC_CHARACTERS = string.ascii_letters + string.digits + " \n|:[](){}/<>^_=,'\"!+-%~.#&*;?@\\`$"
ODD_CHARACTERS = "\u00e9\u00c9\u00fc\u20ac\u2603\u00a0\ufeff\x00\x07\t\r\x1b\ud800\U0001f3b5\u017f\u0301"


def random_character(rng: random.Random) -> str:
    """Mostly ABC's own characters, sometimes a non-ASCII or control one."""
    return rng.choice(ODD_CHARACTERS) if rng.random() < 0.2 else rng.choice(ABC_CHARACTERS)


def mutate(text: str, rng: random.Random) -> str:
    """One random edit: insert, delete, replace or duplicate characters, truncate, or shuffle the lines."""
    at = rng.randrange(len(text) + 1)
    span = rng.randint(1, 12)
    kind = rng.choice(("insert", "delete", "replace", "duplicate", "truncate", "shuffle"))
    if kind == "insert":
        return text[:at] + "".join(random_character(rng) for _ in range(span)) + text[at:]
    if kind == "delete":
        return text[:at] + text[at + span :]
    if kind == "replace":
        return text[:at] + "".join(random_character(rng) for _ in text[at : at + span]) + text[at + span :]
    if kind == "duplicate":
        return text[:at] + text[at : at + span * 4] * rng.randint(2, 20) + text[at:]
    if kind == "truncate":
        return text[:at]
    lines = text.split("\n")
    rng.shuffle(lines)
    return "\n".join(lines)
