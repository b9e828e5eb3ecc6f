"""Answers to the exercises of 04_generate as students write them (see variants_scratch.py)."""

SAMPLE_TUNE = """
def sample_tune(sampler, temperature, seed, max_length=1000):
    from helpers.abc.reader import END
    from helpers.rnn.sample import DEFAULT_PRIME

    rng = np.random.default_rng(seed)
    state = sampler.initial_state(1)
    for char_id in sampler.vocab.encode(DEFAULT_PRIME):
        logits, state = sampler.step(np.array([char_id]), state)
    written = []
    while len(written) < max_length and "".join(written[-len(END):]) != END:
        row = np.array(logits[0], dtype=np.float64)
        row[0] = -np.inf
        p = softmax_with_temperature(row, temperature)
        char_id = rng.choice(len(p), p=p)
        written.append(sampler.vocab.decode([char_id]))
        logits, state = sampler.step(np.array([char_id]), state)
    return "".join(written)
"""

CORRECT = {
    "q13": [
        "def simple_rnn_step(x, h, kernel, recurrent_kernel, bias):\n"
        "    return np.tanh(x @ kernel + h @ recurrent_kernel + bias)\n",
        "def simple_rnn_step(x, h, kernel, recurrent_kernel, bias):\n"
        "    return np.tanh(np.dot(x, kernel) + np.dot(h, recurrent_kernel) + bias[None, :])\n",
        "def simple_rnn_step(x, h, kernel, recurrent_kernel, bias):\n"
        "    z = np.einsum('bi,iu->bu', x, kernel) + np.einsum('bj,ju->bu', h, recurrent_kernel) + bias\n"
        "    return (np.exp(2 * z) - 1) / (np.exp(2 * z) + 1)\n",
    ],
    "q14": [
        """
def gru_step(x, h, kernel, recurrent_kernel, bias):
    def sigmoid(v):
        return 1 / (1 + np.exp(-v))

    u = h.shape[1]
    xs = x @ kernel + bias[0]
    hs = h @ recurrent_kernel + bias[1]
    z = sigmoid(xs[:, :u] + hs[:, :u])
    r = sigmoid(xs[:, u : 2 * u] + hs[:, u : 2 * u])
    candidate = np.tanh(xs[:, 2 * u :] + r * hs[:, 2 * u :])
    return z * h + (1 - z) * candidate
""",
        """
def gru_step(x, h, kernel, recurrent_kernel, bias):
    from scipy.special import expit

    x_z, x_r, x_h = np.split(np.dot(x, kernel) + bias[0], 3, axis=1)
    h_z, h_r, h_h = np.split(np.dot(h, recurrent_kernel) + bias[1], 3, axis=1)
    update, reset = expit(x_z + h_z), expit(x_r + h_r)
    return update * h + (1 - update) * np.tanh(x_h + reset * h_h)
""",
        """
def gru_step(x, h, kernel, recurrent_kernel, bias):
    units = recurrent_kernel.shape[0]
    w_z, w_r, w_h = (kernel[:, k * units : (k + 1) * units] for k in range(3))
    u_z, u_r, u_h = (recurrent_kernel[:, k * units : (k + 1) * units] for k in range(3))
    (bx_z, bx_r, bx_h), (bh_z, bh_r, bh_h) = (np.split(row, 3) for row in bias)
    z = 0.5 * (1 + np.tanh(0.5 * (x @ w_z + bx_z + h @ u_z + bh_z)))
    r = 0.5 * (1 + np.tanh(0.5 * (x @ w_r + bx_r + h @ u_r + bh_r)))
    return h * z + (1 - z) * np.tanh(x @ w_h + bx_h + r * (h @ u_h + bh_h))
""",
    ],
    "q15": [
        """
def softmax_with_temperature(logits, temperature):
    z = np.asarray(logits, dtype=float) / temperature
    z -= np.max(z, axis=-1, keepdims=True)
    return np.exp(z) / np.sum(np.exp(z), axis=-1, keepdims=True)
""",
        """
def softmax_with_temperature(logits, temperature):
    from scipy.special import softmax

    return softmax(np.asarray(logits, dtype=np.float64) / temperature, axis=-1)
""",
        """
def softmax_with_temperature(logits, temperature):
    from scipy.special import logsumexp

    scaled = np.asarray(logits, dtype=float) / temperature
    return np.exp(scaled - logsumexp(scaled, axis=-1, keepdims=True))
""",
    ],
    "q16": [
        SAMPLE_TUNE,
        """
def sample_tune(sampler, temperature, seed, max_length=1000):
    from helpers.abc.reader import END
    from helpers.rnn.sample import DEFAULT_PRIME

    rng = np.random.default_rng(seed)
    state = sampler.initial_state(1)
    ids = sampler.vocab.encode(DEFAULT_PRIME)
    for i in ids:
        logits, state = sampler.step(np.array([i]), state)
    text = ""
    for _ in range(max_length):
        scores = logits[0].astype(np.float64)
        scores[0] = -np.inf
        probabilities = softmax_with_temperature(scores, temperature)
        next_id = int(rng.choice(len(probabilities), p=probabilities))
        text += sampler.vocab.decode([next_id])
        if text.endswith(END):
            break
        logits, state = sampler.step(np.array([next_id]), state)
    return text
""",
        """
def sample_tune(sampler, temperature, seed, max_length=1000):
    from helpers.abc.reader import END
    from helpers.rnn.sample import DEFAULT_PRIME

    def feed(char_id, state):
        return sampler.step(np.array([char_id]), state)

    generator = np.random.default_rng(seed)
    state, logits = sampler.initial_state(1), None
    for char_id in sampler.vocab.encode(DEFAULT_PRIME).tolist():
        logits, state = feed(char_id, state)
    pieces = []
    while len(pieces) < max_length:
        row = np.where(np.arange(logits.shape[1]) == 0, -np.inf, logits[0]).astype(float)
        char_id = generator.choice(row.size, p=softmax_with_temperature(row, temperature))
        pieces.append(sampler.vocab.decode([char_id]))
        if "".join(pieces).endswith(END):
            break
        logits, state = feed(char_id, state)
    return "".join(pieces)
""",
    ],
}

MISTAKES = {
    "q13": [
        (
            CORRECT["q13"][0].replace(
                "np.tanh(x @ kernel + h @ recurrent_kernel + bias)", "np.tanh(x @ kernel + bias)"
            ),
            "a random h",
        ),
        (CORRECT["q13"][0].replace("np.tanh(", "("), "simple_rnn_step for a batch"),
        (CORRECT["q13"][0].replace("h @ recurrent_kernel", "h @ recurrent_kernel.T"), "a random h"),
    ],
    "q14": [
        # the gates' roles swapped: (1 - z) keeps the old state
        (
            CORRECT["q14"][1].replace("update * h + (1 - update) *", "(1 - update) * h + update *"),
            "gru_step for a batch",
        ),
        # reset applied before the recurrent product (reset_after=False)
        (
            CORRECT["q14"][0].replace(
                "candidate = np.tanh(xs[:, 2 * u :] + r * hs[:, 2 * u :])",
                "candidate = np.tanh(xs[:, 2 * u :] + (r * h) @ recurrent_kernel[:, 2 * u :] + bias[1][2 * u :])",
            ),
            "gru_step for a batch",
        ),
        # one bias row for both products
        (CORRECT["q14"][1].replace("+ bias[1], 3, axis=1)", "+ bias[0], 3, axis=1)"), "gru_step for a batch"),
    ],
    "q15": [
        # not stable: exp of large logits overflows
        (
            "def softmax_with_temperature(logits, temperature):\n"
            "    e = np.exp(np.asarray(logits, dtype=float) / temperature)\n"
            "    return e / e.sum(axis=-1, keepdims=True)\n",
            "does exp overflow",
        ),
        # the whole batch normalised together (no axis)
        (
            CORRECT["q15"][0]
            .replace("np.max(z, axis=-1, keepdims=True)", "np.max(z)")
            .replace("np.sum(np.exp(z), axis=-1, keepdims=True)", "np.sum(np.exp(z))"),
            "each row should sum to 1",
        ),
        # multiplied by the temperature instead of divided
        (CORRECT["q15"][0].replace("/ temperature", "* temperature"), "2.0"),
    ],
    "q16": [
        # the state not carried on
        (
            SAMPLE_TUNE.replace(
                "logits, state = sampler.step(np.array([char_id]), state)\n    return",
                "logits, _ = sampler.step(np.array([char_id]), state)\n    return",
            ),
            "state is carried",
        ),
        # a new generator at every draw: the same draw each time
        (
            SAMPLE_TUNE.replace(
                "char_id = rng.choice(len(p), p=p)", "char_id = np.random.default_rng(seed).choice(len(p), p=p)"
            ),
            "the share of 'e'",
        ),
        # the unknown symbol not masked
        (SAMPLE_TUNE.replace("        row[0] = -np.inf\n", ""), "unknown symbol"),
        # the temperature ignored
        (
            SAMPLE_TUNE.replace("softmax_with_temperature(row, temperature)", "softmax_with_temperature(row, 1.0)"),
            "the share of 'e' at T = 0.5",
        ),
    ],
}
