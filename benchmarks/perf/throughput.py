"""Benchmark: training throughput per claim and device, the time of a whole suite, and the suite's
overhead against a hand-written jitted training loop.

    python -m benchmarks.perf.throughput [--profile full] [--seeds 1] [--step-cap N] [--claims ID ...]
                                          [--loop-claim relu-vs-saturating] [--loop-steps 400]
                                          [--loop-repeats 3] [--no-suite] [--no-loop]

Part 1 runs the selected claims at the profile into a fresh temporary store (nothing of yours is
touched), exactly as `reprobench run` does, and prints per claim:

- images/s: training images per second in steady state (the median over the claim's training runs of
  each run's rate over its epochs after the first, which compiles; read back from the runs);
- outside: the share of the claim's wall time spent outside steady-state training steps — loading
  and standardizing data, building and compiling models, validation, callbacks, MLflow writes,
  judging and plots: 1 − Σ(images trained / images/s) / wall time;
- wall: the claim's wall-clock time, all arms × seeds (tuning included), judging and plots;
- bound: under a step cap, an upper bound on the claim's time uncapped on this device: each run's
  planned training images (every step of its budget: runs that reach a target early take less) at
  its measured rate, plus its measured time outside training.

and the whole suite's wall time (and, under a cap, its projected upper bound).

Part 2 times one claim's training loop (its model, batch size and optimizer at the profile; the
suite's `train_to_target` with `steps_per_execution` and its callbacks) against what a user would
write instead on the same backend: on JAX a `jax.jit` step over `model.stateless_call` and
`optimizer.stateless_apply` fed by a Python loop over shuffled batches; on TensorFlow the same with
`tf.function` (with XLA where Keras compiled with it). The hand-written loop does the measurement's
own work and no more: it sums loss and accuracy on the device and reads the window's means back
every `window` steps, since steps-to-target needs that number to stop (without it neither loop could
stop at the target; with it, the device's queue drains once per window in both). The same loop
reading nothing until its end is timed too and printed beside it, so the price of those reads is
shown. All skip their first (compiling) window; they alternate `--loop-repeats` times and the
medians are compared. The bar: the suite's loop within 10 % of the hand-written one that reads each
window.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
logging.getLogger("tensorflow").setLevel(logging.ERROR)
logging.getLogger("mlflow").setLevel(logging.WARNING)

OVERHEAD_BAR = 0.10


def planned_images(config: dict, dataset_size: int) -> float:
    """Training images a run's budget allows: every step to `max_steps` (per init scale), or every epoch."""
    if "max_steps" in config:
        return float(config["max_steps"] * config["batch_size"] * len(config.get("init_scales", (1,))))
    if "epochs" in config and config.get("mode", "train") == "train":
        size = config.get("train_size") or dataset_size
        if config.get("set") == "small":
            size = config["small_train_size"]
        return float(config["epochs"] * size)
    return 0.0


def suite_part(args) -> None:
    import keras

    from benchmarks.evidence import collect
    from benchmarks.runner import run_claim
    from mlflow_tracking import Store, provenance, runs
    from reproductions import registry

    backend = keras.backend.backend()
    device, memory = provenance.device_details(backend)
    claims = [registry()[c] for c in args.claims] if args.claims else list(registry().values())
    cap = f", step cap {args.step_cap}" if args.step_cap else ""
    print(f"# suite: profile {args.profile}, {args.seeds or 'default'} seeds{cap}, precision {args.precision}, "
          f"backend {backend}, device {device} ({memory})")
    print(f"{'claim':<24} {'runs':>5} {'images/s':>10} {'outside':>8} {'wall s':>8}" +
          (f" {'bound s':>9}" if args.step_cap else ""))
    total_wall = total_bound = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        store = Store(f"sqlite:///{Path(scratch) / 'mlflow.db'}")
        for claim in claims:
            seeds = args.seeds or claim.budgets[args.profile].seeds
            started = time.monotonic()
            run_claim(claim, args.profile, seeds, store, progress=lambda _: None, precision=args.precision,
                      step_cap=args.step_cap, data_dir=args.data_dir)
            wall = time.monotonic() - started
            evidence = collect(store, claim, args.profile)
            children = [c for c in runs.children(store, evidence.experiment_id, evidence.execution.run_id)
                        if c.status == "FINISHED"]
            rates = [c.metrics["train_images_per_second"] for c in children if "train_images_per_second" in c.metrics]
            steady = sum(c.metrics["images_trained"] / c.metrics["train_images_per_second"]
                         for c in children if "train_images_per_second" in c.metrics)
            rate = f"{statistics.median(rates):10.0f}" if rates else f"{'–':>10}"
            outside = f"{1 - steady / wall:8.0%}" if rates else f"{'–':>8}"
            line = f"{claim.id:<24} {len(children):>5} {rate} {outside} {wall:8.1f}"
            total_wall += wall
            if args.step_cap:
                bound = wall - steady  # the time outside training, as measured
                dataset_size = 50000 if evidence.execution.tags.get("dataset") == "cifar10" else 60000
                for child in children:
                    images = planned_images({k: _value(v) for k, v in child.params.items()}, dataset_size)
                    if images and child.metrics.get("train_images_per_second"):
                        bound += images / child.metrics["train_images_per_second"]
                total_bound += bound
                line += f" {bound:9.0f}"
            print(line, flush=True)
    print(f"{'suite':<24} {'':>5} {'':>10} {'':>8} {total_wall:8.1f}" +
          (f" {total_bound:9.0f}  (≈ {total_bound / 3600:.1f} h uncapped on this device, an upper bound)"
           if args.step_cap else ""))


def _value(text: str):
    """A logged param back as a Python value (params are strings in MLflow)."""
    import ast

    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _claim_model(claim, config, input_shape):
    from reproductions.common.models import cnn, mlp

    if claim.id == "relu-vs-saturating" or config.get("model") == "cnn":
        return cnn(input_shape, tuple(config["channels"]), config["kernel"], config["activation"],
                   batchnorm=bool(config.get("batchnorm")))
    return mlp(math.prod(input_shape), config["depth"], config["width"], config["activation"],
               batchnorm=bool(config.get("batchnorm")))


def loop_part(args) -> None:
    import keras
    import numpy as np

    from reproductions import registry
    from reproductions.common.data import image_training_set, resolve_dataset
    from reproductions.common.training import train_to_target

    backend = keras.backend.backend()
    claim = registry()[args.loop_claim]
    if "max_steps" not in claim.base_config:
        raise SystemExit(f"--loop-claim must be a claim that trains to a target (relu-vs-saturating, "
                         f"batchnorm-speedup), not {claim.id}")
    arm = next(a for a in claim.arms if a.tuned).name
    config = claim.resolve_config(arm, args.profile, dataset=resolve_dataset("auto", args.data_dir))
    flat = config.get("model", "cnn") == "mlp"
    x, y = image_training_set(config["dataset"], config["train_size"], 0, args.data_dir, flat=flat)
    batch, window = config["batch_size"], config["window"]
    steps = max(window, args.loop_steps - args.loop_steps % window)
    print(f"\n# training loop: {claim.id} arm {arm} at {args.profile} ({config['dataset']}, "
          f"{'MLP' if flat else 'CNN'}, batch {batch}), {steps} steps, backend {backend}")

    hand = {"jax": _jax_loop, "tensorflow": _tf_loop}.get(backend)
    if hand is None:
        print(f"no hand-written loop for the {backend} backend (JAX and TensorFlow only)")
        return
    def fresh(repeat):
        """The claim's model and optimizer, from the same seed for every loop of a repeat."""
        keras.utils.set_random_seed(repeat)
        return (_claim_model(claim, config, x.shape[1:]),
                keras.optimizers.SGD(learning_rate=config["learning_rate"], momentum=config["momentum"]))

    suite_rates, hand_rates, unread_rates = [], [], []
    for repeat in range(args.loop_repeats):  # alternating, so a slow spell of the machine hits all three
        model, optimizer = fresh(repeat)
        outcome = train_to_target(model, x, y, optimizer=optimizer, batch_size=batch, window=window,
                                  max_steps=steps + window, target=2.0)  # never reached: every step runs
        suite_rates.append(outcome.throughput["train_images_per_second"])
        jit = bool(model.jit_compile)  # the hand loops compile as Keras did (XLA or not)
        for rates, read_windows in ((hand_rates, True), (unread_rates, False)):  # the second could not stop
            rates.append(hand(*fresh(repeat), x, y, batch, steps, window=window, rng=np.random.default_rng(repeat),
                              jit_compile=jit, read_windows=read_windows))
    suite_rate, hand_rate, unread_rate = (statistics.median(r) for r in (suite_rates, hand_rates, unread_rates))
    overhead = hand_rate / suite_rate - 1
    for label, rate, rates in ((f"suite (fit, steps_per_execution={window}, callbacks)", suite_rate, suite_rates),
                               ("hand-written jitted loop (reads each window)", hand_rate, hand_rates),
                               ("the same, reading only at the end", unread_rate, unread_rates)):
        print(f"{label + ':':<52} {rate:10.0f} images/s  (median of {', '.join(f'{r:.0f}' for r in rates)})")
    print(f"suite overhead: {overhead:+.1%} (bar: under {OVERHEAD_BAR:.0%}) -> "
          f"{'PASS' if overhead < OVERHEAD_BAR else 'FAIL'}; "
          f"against the loop that reads only at the end (it could not stop at a target): "
          f"{unread_rate / suite_rate - 1:+.1%}")


def _batches(x, y, batch, rng):
    """Shuffled batches, pass after pass (the last partial batch of a pass dropped, as the suite does)."""
    while True:
        order = rng.permutation(len(x))
        for start in range(0, len(x) - batch + 1, batch):
            index = order[start:start + batch]
            yield x[index], y[index]


def _jax_loop(model, optimizer, x, y, batch, steps, window, rng, jit_compile=True, read_windows=True) -> float:
    """keras-io's 'training loop from scratch in JAX': a jitted stateless step, a Python loop.

    The first window (compilation) is not timed; after each window the mean loss and accuracy are
    read back to the host, as the suite's stopping test reads them (`read_windows=False`: only after
    the last one)."""
    import jax
    import jax.numpy as jnp
    import keras

    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer.build(model.trainable_variables)

    def loss_and_state(trainable, non_trainable, xb, yb):
        logits, non_trainable = model.stateless_call(trainable, non_trainable, xb, training=True)
        return loss_fn(yb, logits), (non_trainable, logits)

    grad_fn = jax.value_and_grad(loss_and_state, has_aux=True)

    @jax.jit
    def step(state, sums, xb, yb):
        trainable, non_trainable, opt_vars = state
        (loss, (non_trainable, logits)), grads = grad_fn(trainable, non_trainable, xb, yb)
        trainable, opt_vars = optimizer.stateless_apply(opt_vars, grads, trainable)
        accuracy = jnp.mean(jnp.argmax(logits, axis=-1) == yb)
        return (trainable, non_trainable, opt_vars), (sums[0] + loss, sums[1] + accuracy)

    state = ([v.value for v in model.trainable_variables], [v.value for v in model.non_trainable_variables],
             [v.value for v in optimizer.variables])
    data = _batches(x, y, batch, rng)

    def run_window(state, read):
        sums = (jnp.zeros(()), jnp.zeros(()))
        for _ in range(window):
            state, sums = step(state, sums, *next(data))
        if read:
            float(sums[0] / window), float(sums[1] / window)  # the window's loss and accuracy, on the host
        return state

    state = run_window(state, True)  # compiles
    start = time.perf_counter()
    for i in range(steps // window):  # `steps` is a whole number of windows
        state = run_window(state, read_windows or i == steps // window - 1)
    return steps * batch / (time.perf_counter() - start)


def _tf_loop(model, optimizer, x, y, batch, steps, window, rng, jit_compile=False, read_windows=True) -> float:
    """The TensorFlow equivalent: a tf.function step (XLA where Keras used it), a Python loop, the
    window's means read back after each window (`read_windows=False`: only after the last one)."""
    import keras
    import tensorflow as tf  # a benchmark, not a reproduction: only reproductions/ stay backend-free

    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    sums = tf.Variable(tf.zeros(2))

    @tf.function(jit_compile=jit_compile)
    def step(xb, yb):
        with tf.GradientTape() as tape:
            logits = model(xb, training=True)
            loss = loss_fn(yb, logits)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, -1, output_type=tf.int32), yb), tf.float32))
        sums.assign_add(tf.stack([loss, accuracy]))

    def run_window(read):
        sums.assign(tf.zeros(2))
        for _ in range(window):
            step(*next(data))
        if read:
            (sums / window).numpy()  # the window's loss and accuracy, on the host

    data = _batches(x, y, batch, rng)
    run_window(True)  # traces and compiles
    start = time.perf_counter()
    for i in range(steps // window):  # `steps` is a whole number of windows
        run_window(read_windows or i == steps // window - 1)
    return steps * batch / (time.perf_counter() - start)


def main(argv=None) -> int:
    from benchmarks import numerics

    numerics.configure()  # before the backend is imported: the settings the claims run under
    from reproductions.claim import PROFILES

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", choices=PROFILES, default="full")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per claim (default: the profile's)")
    parser.add_argument("--step-cap", type=int, default=None, help="at most N training steps per run")
    parser.add_argument("--precision", choices=("float32", "bfloat16"), default="float32")
    parser.add_argument("--claims", nargs="*", help="claim ids (default: every registered claim)")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--loop-claim", default="relu-vs-saturating",
                        help="the claim whose training loop is compared with a hand-written one")
    parser.add_argument("--loop-steps", type=int, default=400, help="timed steps of each loop")
    parser.add_argument("--loop-repeats", type=int, default=3, help="alternating repeats of both loops (medians)")
    parser.add_argument("--no-suite", action="store_true", help="only the loop comparison")
    parser.add_argument("--no-loop", action="store_true", help="only the suite")
    args = parser.parse_args(argv)
    if not args.no_suite:
        suite_part(args)
    if not args.no_loop:
        loop_part(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
