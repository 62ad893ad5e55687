"""SGD runs on one reused compiled MLP: schedules in epochs, a clean reset per run, pooled data, the run memo."""

import math

import keras
import numpy as np
import pytest

from reproductions.claim import RunContext
from reproductions.common import sgd_runs
from reproductions.common.models import mlp
from reproductions.common.seeding import seed_everything
from reproductions.common.sgd_runs import average_pool, rate_at, remembered, run_key, schedule_of, train_sgd

pytestmark = pytest.mark.unit


def _data(n=64, dim=12, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dim)).astype("float32")
    y = (x[:, :3].argmax(axis=1) + 3 * (x[:, 3] > 0)).astype("int32")  # learnable labels in 0..5
    return x, y


def test_average_pool_averages_blocks_and_flattens():
    images = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    np.testing.assert_allclose(average_pool(images, 2), [[2.5, 4.5, 10.5, 12.5]])
    two_channels = np.stack([images[..., 0], -images[..., 0]], axis=-1)
    np.testing.assert_allclose(average_pool(two_channels, 2), [[2.5, -2.5, 4.5, -4.5, 10.5, -10.5, 12.5, -12.5]])
    np.testing.assert_allclose(average_pool(images, 1), images.reshape(1, -1))
    with pytest.raises(ValueError):
        average_pool(np.zeros((1, 5, 5, 1)), 2)


def test_schedules_are_in_units_of_epochs():
    eta = 0.1
    assert rate_at(schedule_of("constant", eta, 20), 13) == eta
    step = [rate_at(schedule_of("step", eta, 20), e) for e in range(20)]
    np.testing.assert_allclose(step, [eta] * 10 + [eta / 10] * 5 + [eta / 100] * 5, rtol=1e-6)
    exponential = [rate_at(schedule_of("exponential", eta, 20), e) for e in range(20)]
    np.testing.assert_allclose(exponential, eta * 0.97 ** np.arange(20), rtol=1e-6)  # "learning_rate *= 0.97"
    inverse = [rate_at(schedule_of("inverse-time", eta, 20), e) for e in range(20)]
    np.testing.assert_allclose(inverse, eta / np.arange(1, 21), rtol=1e-6)  # η0/t in the t-th epoch
    with pytest.raises(ValueError):
        schedule_of("cosine", eta, 20)


def test_a_run_uses_the_schedules_rate_in_each_epoch():
    x, y = _data()
    run = train_sgd(x, y, (x, y), seed=0, schedule=schedule_of("exponential", 0.05, 4), epochs=4, batch_size=16,
                    width=8)
    np.testing.assert_allclose(run.rates, 0.05 * 0.97 ** np.arange(4), rtol=1e-6)
    assert len(run.train_loss) == len(run.val_accuracy) == 4 and not run.diverged
    assert run.steps_per_epoch == 4 and run.final_train_loss == run.train_loss[-1]


def test_the_compiled_step_reads_the_rate_at_run_time():
    # plain SGD with the rate zero from epoch 2 on: the weights, hence the training loss, stop moving there
    x, y = _data()
    run = train_sgd(x, y, (x, y), seed=0, schedule=schedule_of("step", 0.1, 4, step_factor=0.0, step_at=(0.5,)),
                    epochs=4, batch_size=16, width=8, momentum=0.0)
    assert run.rates == [pytest.approx(0.1), pytest.approx(0.1), 0.0, 0.0]
    assert run.train_loss[1] < run.train_loss[0]
    assert run.train_loss[2] == run.train_loss[1] == run.train_loss[3]


def _fresh_model_run(x, y, seed, schedule, epochs, batch_size, width, momentum):
    """The same run on a newly built and compiled model: the reference the reused one must equal."""
    seed_everything(seed)
    model = mlp(x.shape[1], 1, width, "relu")
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0, momentum=momentum),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  steps_per_execution=1 if keras.backend.backend() == "torch" else len(x) // batch_size)
    seed_everything(seed)
    model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0,
              callbacks=[keras.callbacks.LearningRateScheduler(lambda e, _r: rate_at(schedule, e))])
    return np.concatenate([np.ravel(w) for w in model.get_weights()])


def test_a_reused_model_runs_exactly_as_a_fresh_one_whatever_ran_before(monkeypatch):
    x, y = _data()
    step = schedule_of("step", 0.05, 4)
    first = train_sgd(x, y, (x, y), seed=3, schedule=step, epochs=4, batch_size=16, width=8)
    other = train_sgd(x, y, (x, y), seed=4, schedule=0.2, epochs=4, batch_size=16, width=8)  # leaves momentum behind
    again = train_sgd(x, y, (x, y), seed=3, schedule=step, epochs=4, batch_size=16, width=8)
    assert other.train_loss != first.train_loss
    np.testing.assert_allclose(again.train_loss, first.train_loss, rtol=1e-6)
    np.testing.assert_allclose(again.val_accuracy, first.val_accuracy)
    reused = sgd_runs.compiled_mlp(x.shape[1], depth=1, width=8, momentum=0.9,
                                   steps_per_execution=1 if keras.backend.backend() == "torch" else 4)
    weights = np.concatenate([np.ravel(w) for w in reused.get_weights()])
    np.testing.assert_allclose(weights, _fresh_model_run(x, y, 3, step, 4, 16, 8, 0.9), rtol=1e-5, atol=1e-6)


def test_a_diverged_run_is_flagged_and_stopped():
    x, y = _data()
    run = train_sgd(x * 1e3, y, (x, y), seed=0, schedule=1e6, epochs=5, batch_size=16, width=8)
    assert run.diverged and len(run.train_loss) < 5 and math.isinf(run.final_train_loss)


def test_remembered_computes_each_run_once():
    calls = []

    def compute(config, seed, context):
        calls.append((config["a"], seed))
        return len(calls)

    context = RunContext(profile="smoke")
    assert remembered({"a": 1}, 0, context, compute) == remembered({"a": 1}, 0, context, compute) == 1
    assert remembered({"a": 1}, 1, context, compute) == 2  # another seed
    assert remembered({"a": 2}, 0, context, compute) == 3  # another config
    assert run_key({"a": 1}, 0, context) != run_key({"a": 1}, 0, RunContext(profile="smoke", stage="tuning"))
    assert calls == [(1, 0), (1, 1), (2, 0)]


@pytest.mark.parametrize("make", [lambda: keras.optimizers.SGD(0.3, momentum=0.9), lambda: keras.optimizers.Adam(0.3)])
def test_reset_optimizer_makes_a_used_optimizer_new_at_a_rate(make):
    variable = keras.Variable(np.ones(3, dtype="float32"))
    used, fresh = make(), make()
    for _ in range(3):
        used.apply([keras.ops.convert_to_tensor(np.array([1.0, -2.0, 3.0], dtype="float32"))], [variable])
    sgd_runs.reset_optimizer(used, 0.05)
    assert float(keras.ops.convert_to_numpy(used.learning_rate)) == pytest.approx(0.05)
    assert int(keras.ops.convert_to_numpy(used.iterations)) == 0
    fresh.build([variable])
    for a, b in zip(used.variables, fresh.variables):
        if a is not used._learning_rate:
            assert np.all(keras.ops.convert_to_numpy(a) == 0), a.path  # moments and step count zeroed
    sgd_runs.reset_optimizer(used)
    assert float(keras.ops.convert_to_numpy(used.learning_rate)) == 0.0  # no rate given: zero, set later per epoch
