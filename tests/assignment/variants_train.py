"""Answers to the exercises of 03_train as students write them (see variants_scratch.py)."""

CORRECT = {
    "q10": [
        """
def make_chunks(ids, chunk_length, name="text"):
    n = (len(ids) - 1) // chunk_length
    if n < 1:
        raise ValueError(f"{name}: {len(ids)} ids are too few for one chunk of {chunk_length}")
    x = np.asarray(ids[: n * chunk_length]).reshape(n, chunk_length)
    y = np.asarray(ids[1 : n * chunk_length + 1]).reshape(n, chunk_length)
    return x, y
""",
        """
def make_chunks(ids, chunk_length, name="text"):
    if len(ids) < chunk_length + 1:
        raise ValueError(f"the {name} has {len(ids)} ids; one chunk of {chunk_length} needs {chunk_length + 1}")
    inputs, targets = [], []
    start = 0
    while start + chunk_length + 1 <= len(ids):
        inputs.append(ids[start : start + chunk_length])
        targets.append(ids[start + 1 : start + chunk_length + 1])
        start += chunk_length
    return np.array(inputs), np.array(targets)
""",
        """
def make_chunks(ids, chunk_length, name="text"):
    from numpy.lib.stride_tricks import sliding_window_view

    ids = np.asarray(ids)
    if (len(ids) - 1) // chunk_length == 0:
        raise ValueError(f"{name} too short: {len(ids)} < {chunk_length + 1}")
    windows = sliding_window_view(ids, chunk_length + 1)[::chunk_length]
    return windows[:, :-1].copy(), windows[:, 1:].copy()
""",
    ],
    "q11": [
        """
def build_model(config, vocab_size):
    import keras

    from helpers.rnn.model import OneHot

    if vocab_size < 2:
        raise ValueError("vocab_size must be at least 2")
    layers = [keras.Input(shape=(None,), dtype="int32")]
    layers.append(
        keras.layers.Embedding(vocab_size, config.embedding_dim)
        if config.encoding == "embedding"
        else OneHot(vocab_size)
    )
    for n in range(config.layers):
        layers.append(getattr(keras.layers, config.cell)(config.hidden_size, return_sequences=True, name=f"rnn_{n}"))
        if config.dropout > 0:
            layers.append(keras.layers.Dropout(config.dropout))
    layers.append(keras.layers.Dense(vocab_size, activation="softmax", name="next_char"))
    return keras.Sequential(layers)
""",
        """
def build_model(config, vocab_size):
    import keras

    from helpers.rnn import model as rnn_model

    from functools import reduce

    if vocab_size <= 1:
        raise ValueError(f"vocab_size {vocab_size} < 2")
    kinds = {"SimpleRNN": keras.layers.SimpleRNN, "LSTM": keras.layers.LSTM, "GRU": keras.layers.GRU}
    stack = [
        keras.layers.Embedding(vocab_size, config.embedding_dim)
        if config.encoding != "onehot"
        else rnn_model.OneHot(vocab_size)
    ]
    for index in range(config.layers):
        stack.append(kinds[config.cell](units=config.hidden_size, return_sequences=True, name="rnn_" + str(index)))
        stack += [keras.layers.Dropout(config.dropout)] if config.dropout else []
    stack.append(keras.layers.Dense(vocab_size, activation="softmax", name="next_char"))
    inputs = keras.Input(shape=(None,), dtype="int32")
    return keras.Model(inputs=inputs, outputs=reduce(lambda x, layer: layer(x), stack, inputs))
""",
        """
def build_model(config, vocab_size):
    import keras

    from helpers.rnn.model import OneHot

    if not vocab_size >= 2:
        raise ValueError(vocab_size)
    model = keras.Sequential()
    model.add(keras.Input(shape=(None,), dtype="int32"))
    if config.encoding == "embedding":
        model.add(keras.layers.Embedding(input_dim=vocab_size, output_dim=config.embedding_dim))
    else:
        model.add(OneHot(depth=vocab_size))
    cell = getattr(keras.layers, config.cell)
    for layer in range(config.layers):
        model.add(cell(config.hidden_size, return_sequences=True, name=f"rnn_{layer}"))
        if config.dropout:
            model.add(keras.layers.Dropout(rate=config.dropout, name=f"drop_{layer}"))
    model.add(keras.layers.Dense(vocab_size, activation=keras.activations.softmax, name="next_char"))
    return model
""",
    ],
    "q12": [
        "def expected_initial_loss(vocab_size):\n    return math.log(vocab_size)\n",
        "def expected_initial_loss(vocab_size):\n    return -np.log(1 / vocab_size)\n",
        "def expected_initial_loss(vocab_size):\n    return float(np.log2(vocab_size) * np.log(2))\n",
    ],
}

MISTAKES = {
    "q10": [
        # targets equal to the inputs (no shift)
        (
            CORRECT["q10"][0].replace(
                "y = np.asarray(ids[1 : n * chunk_length + 1])", "y = np.asarray(ids[: n * chunk_length])"
            ),
            "shifted by one",
        ),
        # len(ids) // chunk_length chunks: the last target runs past the text
        (
            CORRECT["q10"][0].replace("n = (len(ids) - 1) // chunk_length", "n = len(ids) // chunk_length"),
            "(100 - 1) // 10 = 9 chunks",
        ),
        # overlapping chunks (stride 1)
        (CORRECT["q10"][2].replace("[::chunk_length]", ""), "inputs.shape"),
        # no error for a text too short for one chunk
        (
            CORRECT["q10"][1].replace(
                "raise ValueError",
                "return np.zeros((0, chunk_length), int), np.zeros((0, chunk_length), int)\n        raise ValueError",
            ),
            "expected a ValueError",
        ),
    ],
    "q11": [
        # no softmax: logits out
        (CORRECT["q11"][2].replace("activation=keras.activations.softmax, ", ""), "summed over the vocabulary"),
        # return_sequences forgotten: one output per chunk
        (CORRECT["q11"][0].replace("return_sequences=True, ", ""), "output shape"),
        # the cell kind ignored: always SimpleRNN
        (
            CORRECT["q11"][2].replace("cell = getattr(keras.layers, config.cell)", "cell = keras.layers.SimpleRNN"),
            "the kinds of layers",
        ),
    ],
    "q12": [
        ("def expected_initial_loss(vocab_size):\n    return math.log2(vocab_size)\n", "which is in bits"),
        ("def expected_initial_loss(vocab_size):\n    return 1 / vocab_size\n", "expected 3.68888"),
        ("def expected_initial_loss(vocab_size):\n    return math.log(vocab_size - 1)\n", "expected 3.68888"),
    ],
}
