"""Answers to the exercises of 02_scratch as students write them: correct ones written differently, and typical
mistakes with the words their feedback must contain. test_variants.py grades each with the notebook's own tests."""

CORRECT = {
    "q3": [
        # vectorised where it can be: the logits of every step at once, np.add.at for the input rows
        """
def rnn_loss_and_gradients(params, inputs, targets, h0):
    steps = len(inputs)
    states = [h0]
    for char_id in inputs:
        states.append(np.tanh(params["kernel"][char_id] + states[-1] @ params["recurrent_kernel"] + params["bias"]))
    hidden = np.stack(states[1:])
    logits = hidden @ params["output_kernel"] + params["output_bias"]
    logits = logits - logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probabilities[np.arange(steps), targets]))
    d_logits = probabilities.copy()
    d_logits[np.arange(steps), targets] -= 1
    d_logits /= steps
    d_hidden_out = d_logits @ params["output_kernel"].T
    d_sums = np.zeros_like(hidden)
    carry = np.zeros_like(h0)
    for t in range(steps - 1, -1, -1):
        d_sums[t] = (d_hidden_out[t] + carry) * (1 - hidden[t] ** 2)
        carry = d_sums[t] @ params["recurrent_kernel"].T
    previous = np.vstack([h0[None], hidden[:-1]])
    kernel = np.zeros_like(params["kernel"])
    np.add.at(kernel, inputs, d_sums)
    gradients = {
        "kernel": kernel,
        "recurrent_kernel": previous.T @ d_sums,
        "bias": d_sums.sum(axis=0),
        "output_kernel": hidden.T @ d_logits,
        "output_bias": d_logits.sum(axis=0),
        "h0": carry,
    }
    return float(loss), gradients, hidden[-1]
""",
        # one-hot inputs as a matrix product, scipy's log_softmax
        """
def rnn_loss_and_gradients(params, inputs, targets, h0):
    from scipy.special import log_softmax

    vocab_size = params["kernel"].shape[0]
    x = np.eye(vocab_size)[inputs]
    h = {-1: h0}
    log_p = {}
    for t in range(len(inputs)):
        h[t] = np.tanh(x[t] @ params["kernel"] + h[t - 1] @ params["recurrent_kernel"] + params["bias"])
        log_p[t] = log_softmax(h[t] @ params["output_kernel"] + params["output_bias"])
    loss = -sum(log_p[t][targets[t]] for t in log_p) / len(inputs)
    grads = dict.fromkeys(["kernel", "recurrent_kernel", "bias", "output_kernel", "output_bias"])
    grads = {name: np.zeros(params[name].shape) for name in grads}
    dh_next = np.zeros(h0.shape)
    for t in reversed(range(len(inputs))):
        dy = np.exp(log_p[t])
        dy[targets[t]] -= 1
        dy = dy / len(inputs)
        grads["output_kernel"] += np.outer(h[t], dy)
        grads["output_bias"] += dy
        draw = (params["output_kernel"] @ dy + dh_next) * (1 - h[t] * h[t])
        grads["kernel"] += np.outer(x[t], draw)
        grads["recurrent_kernel"] += np.outer(h[t - 1], draw)
        grads["bias"] += draw
        dh_next = params["recurrent_kernel"] @ draw
    grads["h0"] = dh_next
    return loss, grads, h[len(inputs) - 1]
""",
        # the forward pass kept in lists of (state, probabilities), a while loop backwards
        """
def rnn_loss_and_gradients(params, inputs, targets, h0):
    W, U, b, V, c = (params[k] for k in ("kernel", "recurrent_kernel", "bias", "output_kernel", "output_bias"))
    trace, state, total = [], h0.copy(), 0.0
    for x, y in zip(inputs, targets):
        previous, state = state, np.tanh(W[x] + state @ U + b)
        z = state @ V + c
        p = np.exp(z - np.max(z))
        p /= np.sum(p)
        total += -np.log(p[y])
        trace.append((x, y, previous, state, p))
    n = len(trace)
    g = {"kernel": 0 * W, "recurrent_kernel": 0 * U, "bias": 0 * b, "output_kernel": 0 * V, "output_bias": 0 * c}
    back = np.zeros_like(h0)
    t = n - 1
    while t >= 0:
        x, y, previous, state, p = trace[t]
        dz = p - np.eye(len(p))[y]
        dz = dz / n
        g["output_kernel"] = g["output_kernel"] + state[:, None] * dz[None, :]
        g["output_bias"] = g["output_bias"] + dz
        da = (V @ dz + back) * (1 - state**2)
        g["kernel"][x] = g["kernel"][x] + da
        g["recurrent_kernel"] = g["recurrent_kernel"] + previous[:, None] * da[None, :]
        g["bias"] = g["bias"] + da
        back = U @ da
        t -= 1
    g["h0"] = back
    return total / n, g, trace[-1][3]
""",
    ],
    "q4": [
        """
def train_from_scratch(params, loss_and_gradients, ids, initial_state, steps, chunk_length=25, learning_rate=0.1,
                       clip=None):
    import copy

    weights = copy.deepcopy(params)
    squares = {k: 0 * v for k, v in weights.items()}
    losses, p, h = [], 0, initial_state
    step = 0
    while step < steps:
        if p + chunk_length >= len(ids):
            p, h = 0, initial_state
        loss, grads, h = loss_and_gradients(weights, ids[p : p + chunk_length], ids[p + 1 : p + chunk_length + 1], h)
        grads = clip(grads) if clip else grads
        for k in weights:
            squares[k] = squares[k] + grads[k] * grads[k]
            weights[k] = weights[k] - learning_rate * grads[k] / np.sqrt(squares[k] + 1e-8)
        losses.append(loss)
        p += chunk_length
        step += 1
    return weights, losses
""",
        """
def train_from_scratch(params, loss_and_gradients, ids, initial_state, steps, chunk_length=25, learning_rate=0.1,
                       clip=None):
    names = list(params)
    weights = [params[name].copy() for name in names]
    memory = [np.zeros(w.shape) for w in weights]
    losses = []
    starts = range(0, len(ids) - chunk_length, chunk_length)
    state = initial_state
    for step in range(steps):
        position = starts[step % len(starts)]
        if position == 0:
            state = initial_state
        current = dict(zip(names, weights))
        loss, gradients, state = loss_and_gradients(current, ids[position:position + chunk_length],
                                                    ids[position + 1:position + 1 + chunk_length], state)
        if clip is not None:
            gradients = clip(gradients)
        for w, m, name in zip(weights, memory, names):
            m += gradients[name] ** 2
            w -= learning_rate * gradients[name] / np.sqrt(m + 1e-8)
        losses.append(loss)
    return dict(zip(names, weights)), losses
""",
        """
def train_from_scratch(params, loss_and_gradients, ids, initial_state, steps, chunk_length=25, learning_rate=0.1,
                       clip=None):
    trained = {name: np.array(value, dtype=float) for name, value in params.items()}
    adagrad = {name: np.zeros_like(value) for name, value in trained.items()}
    history, offset, state = [], 0, initial_state
    for _ in range(steps):
        end = offset + chunk_length
        if end + 1 > len(ids):
            offset, end, state = 0, chunk_length, initial_state
        loss, gradients, state = loss_and_gradients(trained, ids[offset:end], ids[offset + 1:end + 1], state)
        if clip:
            gradients = clip(gradients)
        for name, gradient in gradients.items():
            if name in trained:
                adagrad[name] += np.square(gradient)
                trained[name] -= learning_rate * gradient / (np.sqrt(adagrad[name] + 1e-8))
        history.append(float(loss))
        offset = end
    return trained, history
""",
    ],
    "q5": [
        """
def sample_from_scratch(params, start_id, length, rng):
    from scipy.special import softmax

    h = np.zeros(len(params["bias"]))
    out = [start_id]
    while len(out) <= length:
        h = np.tanh(params["kernel"][out[-1]] + h @ params["recurrent_kernel"] + params["bias"])
        p = softmax(h @ params["output_kernel"] + params["output_bias"])
        out.append(int(rng.choice(len(p), p=p)))
    return out[1:]
""",
        """
def sample_from_scratch(params, start_id, length, rng):
    vocab_size = params["kernel"].shape[0]
    x = np.zeros(vocab_size)
    x[start_id] = 1
    h = np.zeros(params["recurrent_kernel"].shape[0])
    ids = []
    for _ in range(length):
        h = np.tanh(x @ params["kernel"] + h @ params["recurrent_kernel"] + params["bias"])
        y = h @ params["output_kernel"] + params["output_bias"]
        p = np.exp(y - y.max())
        p = p / p.sum()
        choice = rng.choice(vocab_size, p=p)
        ids.append(choice)
        x = np.zeros(vocab_size)
        x[choice] = 1
    return np.array(ids)
""",
        """
def sample_from_scratch(params, start_id, length, rng):
    def step(char_id, state):
        state = np.tanh(params["kernel"][char_id] + state @ params["recurrent_kernel"] + params["bias"])
        logits = state @ params["output_kernel"] + params["output_bias"]
        odds = np.exp(logits - np.max(logits))
        return state, odds / odds.sum()

    state, char_id, written = np.zeros_like(params["bias"]), start_id, []
    for _ in range(length):
        state, p = step(char_id, state)
        char_id = rng.choice(len(p), p=p)
        written += [char_id]
    return written
""",
    ],
    "q6": [
        """
def lstm_step(x, h, c, kernel, recurrent_kernel, bias):
    from scipy.special import expit

    units = h.shape[-1]
    z = x @ kernel + h @ recurrent_kernel + bias
    i, f = expit(z[:, :units]), expit(z[:, units : 2 * units])
    g, o = np.tanh(z[:, 2 * units : 3 * units]), expit(z[:, 3 * units :])
    c_new = f * c + i * g
    return o * np.tanh(c_new), c_new
""",
        """
def lstm_step(x, h, c, kernel, recurrent_kernel, bias):
    def sigmoid(v):
        return 0.5 * (1 + np.tanh(v / 2))

    gates = np.dot(x, kernel) + np.dot(h, recurrent_kernel) + bias
    i, f, g, o = np.array_split(gates, 4, axis=1)
    new_c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    new_h = sigmoid(o) * np.tanh(new_c)
    return (new_h, new_c)
""",
        """
def lstm_step(x, h, c, kernel, recurrent_kernel, bias):
    n = c.shape[1]
    pre = x @ kernel + h @ recurrent_kernel + bias
    parts = [pre[:, k * n : (k + 1) * n] for k in range(4)]
    input_gate, forget_gate, output_gate = (1 / (1 + np.exp(-parts[k])) for k in (0, 1, 3))
    cell = forget_gate * c + input_gate * np.tanh(parts[2])
    return output_gate * np.tanh(cell), cell
""",
    ],
    "q7": [
        """
def state_gradient_norms(cell, inputs, loss_of_last_state):
    import tensorflow as tf

    batch = inputs.shape[0]
    states = cell.get_initial_state(batch)
    hs = []
    with tf.GradientTape() as tape:
        for t in range(inputs.shape[1]):
            h, states = cell(inputs[:, t], states)
            hs.append(h)
        loss = loss_of_last_state(hs[-1])
    grads = tape.gradient(loss, hs)
    return np.array([np.linalg.norm(g.numpy()) for g in grads])
""",
        """
def state_gradient_norms(cell, inputs, loss_of_last_state):
    import tensorflow as tf

    sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
    states = [tf.zeros((len(inputs), size)) for size in sizes]
    inputs = tf.constant(inputs)
    with tf.GradientTape(persistent=True) as tape:
        outputs = []
        for step in tf.unstack(inputs, axis=1):
            output, states = cell(step, states)
            outputs.append(output)
        loss = loss_of_last_state(outputs[-1])
    norms = [float(tf.sqrt(tf.reduce_sum(tape.gradient(loss, h) ** 2))) for h in outputs]
    del tape
    return np.array(norms)
""",
        """
def state_gradient_norms(cell, inputs, loss_of_last_state):
    import tensorflow as tf

    n = len(cell.state_size) if isinstance(cell.state_size, list) else 1
    states = [tf.zeros([inputs.shape[0], cell.units])] * n
    history = []
    with tf.GradientTape() as tape:
        for t in range(inputs.shape[1]):
            out, states = cell(tf.convert_to_tensor(inputs[:, t]), states)
            history.append(out)
        loss = loss_of_last_state(history[-1])
    return [tf.norm(g).numpy().item() for g in tape.gradient(loss, history)]
""",
    ],
    "q8": [
        """
def clip_by_global_norm(gradients, max_norm):
    norm = float(np.linalg.norm(np.concatenate([np.ravel(g) for g in gradients.values()])))
    if norm <= max_norm:
        return dict(gradients), norm
    return {k: g * (max_norm / norm) for k, g in gradients.items()}, norm
""",
        """
def clip_by_global_norm(gradients, max_norm):
    norm = np.sqrt(sum(np.vdot(g, g) for g in gradients.values()))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {name: scale * g for name, g in gradients.items()}, float(norm)
""",
        """
def clip_by_global_norm(gradients, max_norm):
    squares = 0.0
    for g in gradients.values():
        squares += (g**2).sum()
    norm = squares**0.5
    clipped = {}
    for name, g in gradients.items():
        clipped[name] = g / norm * max_norm if norm > max_norm else g.copy()
    return clipped, norm
""",
    ],
    "q9": [
        """
def inverted_dropout(x, rate, rng, training):
    if training:
        mask = rng.random(x.shape) >= rate
        return x * mask / (1 - rate)
    return x.copy()
""",
        """
def inverted_dropout(x, rate, rng, training):
    if not training or rate == 0:
        return np.array(x)
    keep = (rng.random(np.shape(x)) >= rate).astype(float)
    return x * keep * (1.0 / (1.0 - rate))
""",
        """
def inverted_dropout(x, rate, rng, training):
    out = np.array(x, dtype=float)
    if training:
        dropped = ~(rng.random(out.shape) >= rate)
        out[dropped] = 0.0
        out[~dropped] /= 1 - rate
    return out
""",
    ],
}

# (answer, words its feedback must contain)
MISTAKES = {
    "q3": [
        # the loss summed over the steps, not averaged
        (
            CORRECT["q3"][0].replace("loss = -np.mean(np.log(", "loss = -np.sum(np.log("),
            "the prompt asks for the mean",
        ),
        # the derivative of tanh forgotten
        (
            CORRECT["q3"][0].replace(") * (1 - hidden[t] ** 2)", ")"),
            "against TensorFlow's",
        ),
        # no gradient through time: each step's state gets only its own prediction's gradient
        (
            CORRECT["q3"][0].replace("carry = d_sums[t] @", "carry = 0 * d_sums[t] @"),
            "against TensorFlow's",
        ),
        # the gradient of the initial state left out
        (
            CORRECT["q3"][0].replace('        "h0": carry,\n', ""),
            "the keys of gradients",
        ),
    ],
    "q4": [
        # gradient ascent
        (
            CORRECT["q4"][2].replace("trained[name] -= learning_rate", "trained[name] += learning_rate"),
            "against the gradient",
        ),
        # the state never carried on
        (
            CORRECT["q4"][2].replace("ids[offset + 1:end + 1], state)", "ids[offset + 1:end + 1], initial_state)"),
            "the state passed in at each step",
        ),
        # the weights passed in trained in place
        (
            CORRECT["q4"][2].replace(
                "trained = {name: np.array(value, dtype=float) for name, value in params.items()}", "trained = params"
            ),
            "was changed",
        ),
        # never starting the text again: past its end the chunks run short
        (CORRECT["q4"][2].replace("if end + 1 > len(ids):", "if False:"), "the inputs of the 5 steps"),
    ],
    "q5": [
        # the most likely character instead of a draw
        (CORRECT["q5"][2].replace("char_id = rng.choice(len(p), p=p)", "char_id = int(np.argmax(p))"), "frequencies"),
        # the draw not fed back: every step reads start_id
        (
            CORRECT["q5"][2].replace("state, p = step(char_id, state)", "state, p = step(start_id, state)"),
            "the ids drawn",
        ),
        # the state not carried: every step starts from zeros
        (
            CORRECT["q5"][2].replace(
                "state, p = step(char_id, state)", "_, p = step(char_id, np.zeros_like(params['bias']))"
            ),
            "state to carry",
        ),
        # start_id written as the first id
        (CORRECT["q5"][0].replace("return out[1:]", "return out[:-1]"), "the ids drawn"),
    ],
    "q6": [
        # gates read in the wrong order (input, forget, output, cell)
        (
            CORRECT["q6"][1].replace("i, f, g, o = np.array_split", "i, f, o, g = np.array_split"),
            "against Keras's LSTMCell",
        ),
        # the cell state shown without its tanh
        (CORRECT["q6"][1].replace("new_h = sigmoid(o) * np.tanh(new_c)", "new_h = sigmoid(o) * new_c"), "the new h"),
        # the forget gate used without its sigmoid
        (CORRECT["q6"][1].replace("new_c = sigmoid(f) * c", "new_c = f * c"), "the new c"),
    ],
    "q7": [
        # the norms listed from the loss backwards
        (CORRECT["q7"][0].replace("for g in grads])", "for g in grads][::-1])"), "step 0 first"),
        # the norm of one example (the first), not of the whole batch
        (CORRECT["q7"][0].replace("np.linalg.norm(g.numpy())", "np.linalg.norm(g.numpy()[0])"), "the norms"),
        # the LSTM's cell state c kept instead of its output h
        (CORRECT["q7"][0].replace("hs.append(h)", "hs.append(states[-1])"), "of a LSTMCell"),
    ],
    "q8": [
        # each array clipped on its own
        (
            """
def clip_by_global_norm(gradients, max_norm):
    norm = float(np.sqrt(sum(np.sum(g**2) for g in gradients.values())))
    clipped = {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in gradients.items()}
    return clipped, norm
""",
            "against tf.clip_by_global_norm",
        ),
        # always scaled to max_norm, even when the gradients are smaller
        (CORRECT["q8"][2].replace("if norm > max_norm else g.copy()", ""), "below the limit"),
        # the norm after clipping returned
        (
            CORRECT["q8"][0].replace(
                "return {k: g * (max_norm / norm) for k, g in gradients.items()}, norm",
                "return {k: g * (max_norm / norm) for k, g in gradients.items()}, max_norm",
            ),
            "the global norm (before clipping)",
        ),
        # every entry clipped to [-max_norm, max_norm]
        (
            """
def clip_by_global_norm(gradients, max_norm):
    norm = float(np.sqrt(sum(np.sum(g**2) for g in gradients.values())))
    return {k: np.clip(g, -max_norm, max_norm) for k, g in gradients.items()}, norm
""",
            "against tf.clip_by_global_norm",
        ),
    ],
    "q9": [
        # the kept entries not scaled
        (CORRECT["q9"][0].replace("return x * mask / (1 - rate)", "return x * mask"), "divided by 1 - rate"),
        # dropout at test time too
        (CORRECT["q9"][1].replace("if not training or rate == 0:", "if rate == 0:"), "nothing dropped at test time"),
        # rate read as the probability of keeping
        (
            CORRECT["q9"][0].replace("mask = rng.random(x.shape) >= rate", "mask = rng.random(x.shape) < rate"),
            "of the entries are 0",
        ),
        # multiplied by 1 - rate instead of divided
        (
            CORRECT["q9"][0].replace("return x * mask / (1 - rate)", "return x * mask * (1 - rate)"),
            "divided by 1 - rate",
        ),
    ],
}
