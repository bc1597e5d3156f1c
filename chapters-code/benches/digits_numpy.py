"""The digits example's network in numpy, for a side-by-side timing: the
same data, layers, initialisation and settings as
`cargo run --release -p backprop --example digits`, with the convolution as
im2col and one matrix product, as a numpy programmer would write it.

    OPENBLAS_NUM_THREADS=1 python3 chapters-code/benches/digits_numpy.py [--seed N] [--input-gradient]

conv 3 x 3, 16 filters, stride 1, padding 1 -> ReLU -> 2 x 2 max pooling,
stride 2 -> affine to the 10 classes -> softmax cross-entropy; minibatches
of 16, SGD with momentum 0.9, step size 0.1, 10 epochs; weights uniform in
[-sqrt(6 / fan_in), sqrt(6 / fan_in)), biases zero. Columns are samples, as
in the book. The 360 test images are drawn by numpy's generator, so they
are not the Rust example's 360, and the initial weights differ too: the
accuracies are comparable, not equal. The images' gradient, which the
book's conv::backward computes and training never uses, is left out unless
--input-gradient asks for it (then with np.add.at, as im2col's adjoint).

Each epoch's loss and test accuracy go to standard error; standard output
gets the Rust example's last line, `trained: <epochs> epochs in <seconds> s,
test accuracy <acc>`, timing the same work (the epochs and the test
accuracy after each), not the loading. `digits-vs-numpy.py` runs it beside
the Rust example. Needs only numpy; run it by hand, never in CI.
"""

import gzip
import sys
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1] / "data" / "digits.csv.gz"
FILTERS, BATCH, STEP_SIZE, MOMENTUM, EPOCHS, TEST_IMAGES = 16, 16, 0.1, 0.9, 10, 360
SIDE, CLASSES, Q = 8, 10, 3


def load():
    """Images (n, 1, 8, 8) in [0, 1] and labels (n,)."""
    with gzip.open(DATA, "rt") as f:
        rows = np.loadtxt(f, delimiter=",", dtype=np.int64)
    return (rows[:, :-1] / 16.0).reshape(-1, 1, SIDE, SIDE), rows[:, -1]


def patch_indices(channels, side):
    """Where im2col reads, for 3 x 3 filters, stride 1, padding 1:
    row (c, o1, o2) and output position (i1, i2) read the padded input at
    (c, i1 + o1, i2 + o2)."""
    c, o1, o2 = np.meshgrid(np.arange(channels), np.arange(Q), np.arange(Q), indexing="ij")
    i1, i2 = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    rows = (c.reshape(-1, 1), o1.reshape(-1, 1) + i1.reshape(1, -1), o2.reshape(-1, 1) + i2.reshape(1, -1))
    return rows


def im2col(x, idx):
    """(n, C, D, D) -> X_col (C*9, n*D*D): every window is a column."""
    n = x.shape[0]
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    c, r, s = idx
    cols = xp[:, c, r, s]  # (n, C*9, D*D)
    return cols.transpose(1, 0, 2).reshape(cols.shape[1], n * cols.shape[2])


def col2im(cols, shape, idx):
    """The adjoint of im2col: every column's entries added back where
    they were read from (overlapping windows add up)."""
    n, channels, d, _ = shape
    dxp = np.zeros((n, channels, d + 2, d + 2))
    c, r, s = idx
    per_image = cols.reshape(cols.shape[0], n, d * d).transpose(1, 0, 2)  # (n, C*9, D*D)
    np.add.at(dxp, (slice(None), c, r, s), per_image)
    return dxp[:, :, 1:-1, 1:-1]


def pool_windows(a):
    """(n, F, 8, 8) -> (n, F, 4, 4, 4): each 2 x 2 window, read row by row."""
    n, f, d, _ = a.shape
    return a.reshape(n, f, d // 2, 2, d // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, f, d // 2, d // 2, 4)


def pool_backward(winner, dp, shape):
    """Each window's gradient to its winner (the first largest entry)."""
    n, f, d, _ = shape
    dw = np.zeros(winner.shape + (4,))
    np.put_along_axis(dw, winner[..., None], dp[..., None], axis=-1)
    return dw.reshape(n, f, d // 2, d // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(shape)


def scores(params, x, idx):
    w1, b1, w2, b2 = params
    n = x.shape[0]
    z = (w1.reshape(FILTERS, -1) @ im2col(x, idx) + b1[:, None]).reshape(FILTERS, n, SIDE, SIDE)
    a = np.maximum(z, 0).transpose(1, 0, 2, 3)
    p = pool_windows(a).max(axis=-1)
    return w2 @ p.reshape(n, -1).T + b2[:, None]


def loss_and_gradients(params, x, labels, idx, input_gradient):
    w1, b1, w2, b2 = params
    n = x.shape[0]
    # Forward.
    x_col = im2col(x, idx)  # (9, n*64)
    z_col = w1.reshape(FILTERS, -1) @ x_col + b1[:, None]  # (F, n*64)
    z = z_col.reshape(FILTERS, n, SIDE, SIDE).transpose(1, 0, 2, 3)  # (n, F, 8, 8)
    a = np.maximum(z, 0)
    windows = pool_windows(a)
    winner = windows.argmax(axis=-1)
    p = np.take_along_axis(windows, winner[..., None], axis=-1)[..., 0]  # (n, F, 4, 4)
    h = p.reshape(n, -1).T  # (16F, n)
    y = w2 @ h + b2[:, None]  # (10, n)
    shifted = y - y.max(axis=0)
    e = np.exp(shifted)
    sums = e.sum(axis=0)
    loss = np.mean(np.log(sums) - shifted[labels, np.arange(n)])
    # Backward.
    dy = e / sums / n
    dy[labels, np.arange(n)] -= 1.0 / n
    dw2, db2, dh = dy @ h.T, dy.sum(axis=1), w2.T @ dy
    dp = dh.T.reshape(p.shape)
    da = pool_backward(winner, dp, a.shape)
    dz = np.where(z > 0, da, 0.0)
    dz_col = dz.transpose(1, 0, 2, 3).reshape(FILTERS, -1)
    dw1 = (dz_col @ x_col.T).reshape(w1.shape)
    db1 = dz_col.sum(axis=1)
    if input_gradient:
        # The images' gradient, which training does not use; the book's
        # conv::backward computes it, and --input-gradient does the same
        # work here.
        col2im(w1.reshape(FILTERS, -1).T @ dz_col, x.shape, idx)
    return loss, (dw1, db1, dw2, db2)


def main():
    seed, input_gradient, args = 1, False, sys.argv[1:]
    while args:
        if args[0] == "--seed" and len(args) > 1:
            seed, args = int(args[1]), args[2:]
        elif args[0] == "--input-gradient":
            input_gradient, args = True, args[1:]
        else:
            sys.exit("usage: digits_numpy.py [--seed N] [--input-gradient]")
    images, labels = load()
    rng = np.random.default_rng(1998)
    order = rng.permutation(len(labels))
    test, train = np.sort(order[:TEST_IMAGES]), np.sort(order[TEST_IMAGES:])
    x_train, y_train, x_test, y_test = images[train], labels[train], images[test], labels[test]

    init = np.random.default_rng(seed)
    hidden = FILTERS * (SIDE // 2) ** 2
    params = [
        init.uniform(-1, 1, (FILTERS, 1, Q, Q)) * np.sqrt(6 / (Q * Q)),
        np.zeros(FILTERS),
        init.uniform(-1, 1, (CLASSES, hidden)) * np.sqrt(6 / hidden),
        np.zeros(CLASSES),
    ]
    velocity = [np.zeros_like(p) for p in params]
    idx = patch_indices(1, SIDE)
    batches = np.random.default_rng(2)

    start = time.perf_counter()
    for epoch in range(1, EPOCHS + 1):
        order = batches.permutation(len(y_train))
        losses = []
        for at in range(0, len(order), BATCH):
            chosen = order[at : at + BATCH]
            loss, grads = loss_and_gradients(params, x_train[chosen], y_train[chosen], idx, input_gradient)
            for p, v, g in zip(params, velocity, grads):
                v *= MOMENTUM
                v -= STEP_SIZE * g
                p += v
            losses.append(loss)
        accuracy = np.mean(scores(params, x_test, idx).argmax(axis=0) == y_test)
        print(f"epoch {epoch:>2}: loss {np.mean(losses):.4f}, test accuracy {accuracy:.4f}", file=sys.stderr)
    seconds = time.perf_counter() - start
    print(f"trained: {EPOCHS} epochs in {seconds:.3f} s, test accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
