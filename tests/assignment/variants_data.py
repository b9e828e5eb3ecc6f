"""Answers to the exercises of 01_data as students write them (see variants_scratch.py)."""

CORRECT = {
    "q1": [
        """
def split_by_tune(tunes, seed, fractions=(0.1, 0.1), max_tunes=None):
    from helpers.corpus.split import Split

    order = np.random.default_rng(seed).permutation(len(tunes))[:max_tunes]
    shuffled = [tunes[i] for i in order]
    v = max(1, round(len(shuffled) * fractions[0]))
    t = max(1, round(len(shuffled) * fractions[1]))
    return Split(train=shuffled[v + t :], validation=shuffled[:v], test=shuffled[v : v + t])
""",
        """
def split_by_tune(tunes, seed, fractions=(0.1, 0.1), max_tunes=None):
    from helpers.corpus.split import Split

    rng = np.random.default_rng(seed)
    indices = list(rng.permutation(len(tunes)))
    if max_tunes:
        indices = indices[:max_tunes]
    n = len(indices)
    sizes = [max(1, round(n * fraction)) for fraction in fractions]
    validation = [tunes[i] for i in indices[: sizes[0]]]
    test = [tunes[i] for i in indices[sizes[0] : sizes[0] + sizes[1]]]
    train = [tunes[i] for i in indices[sizes[0] + sizes[1] :]]
    return Split(train, validation, test)
""",
        """
def split_by_tune(tunes, seed, fractions=(0.1, 0.1), max_tunes=None):
    from helpers.corpus.split import Split

    permutation = np.random.default_rng(seed).permutation(len(tunes))
    kept = np.array(tunes, dtype=object)[permutation][: len(tunes) if max_tunes is None else max_tunes].tolist()
    n_val = int(max(1, round(len(kept) * fractions[0])))
    n_test = int(max(1, round(len(kept) * fractions[1])))
    pieces = np.split(np.arange(len(kept)), [n_val, n_val + n_test])
    validation, test, train = ([kept[i] for i in piece] for piece in pieces)
    return Split(train=train, validation=validation, test=test)
""",
    ],
    "q2": [
        """
def encode(chars, text):
    lookup = dict(zip(chars, range(len(chars))))
    return np.fromiter((lookup.get(c, 0) for c in text), dtype=np.int64, count=len(text))


def decode(chars, ids):
    return "".join(map(chars.__getitem__, np.asarray(ids).tolist()))
""",
        """
def encode(chars, text):
    table = {}
    for i, char in enumerate(chars):
        table[char] = i
    ids = []
    for char in text:
        ids.append(table[char] if char in table else 0)
    return np.array(ids)


def decode(chars, ids):
    out = ""
    for i in ids:
        out += chars[int(i)]
    return out
""",
        """
def encode(chars, text):
    from collections import defaultdict

    index = defaultdict(int, {char: i for i, char in enumerate(chars)})
    return np.asarray([index[char] for char in text], dtype=np.int32)


def decode(chars, ids):
    return "".join(np.array(chars, dtype=object)[np.asarray(ids, dtype=int)]) if len(ids) else ""
""",
    ],
}

MISTAKES = {
    "q1": [
        # the first tunes in the file, never shuffled
        (
            CORRECT["q1"][0].replace(
                "order = np.random.default_rng(seed).permutation(len(tunes))[:max_tunes]",
                "order = np.arange(len(tunes))[:max_tunes]",
            ),
            "the order must depend on the seed",
        ),
        # a fresh random order on every call: no seed
        (
            CORRECT["q1"][0].replace("np.random.default_rng(seed)", "np.random.default_rng()"),
            "validation set of a second call with seed 3",
        ),
        # the fraction of the validation set used for both
        (
            CORRECT["q1"][0].replace("round(len(shuffled) * fractions[1])", "round(len(shuffled) * fractions[0])"),
            "sizes",
        ),
        # the test set also inside the training set
        (
            CORRECT["q1"][0].replace("train=shuffled[v + t :]", "train=shuffled[v:]"),
            "sizes of (train, validation, test)",
        ),
    ],
    "q2": [
        # an unseen character crashes instead of becoming 0
        (
            CORRECT["q2"][1].replace("ids.append(table[char] if char in table else 0)", "ids.append(table[char])"),
            "becomes 0",
        ),
        # ids off by one (counting from 1)
        (
            CORRECT["q2"][0].replace(
                "dict(zip(chars, range(len(chars))))", "dict(zip(chars, range(1, len(chars) + 1)))"
            ),
            "encode(chars, 'AB|\\nA')",
        ),
        # decode joins the ids, not the characters
        (CORRECT["q2"][1].replace("out += chars[int(i)]", "out += str(i)"), "decode(chars, [2, 3, 4])"),
    ],
}
