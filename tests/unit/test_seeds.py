"""Seed derivation is stable and spread out; seeding makes the backend's and NumPy's draws repeat."""

from __future__ import annotations

import random

import keras
import numpy as np
import pytest

from benchmarks.identity import derive_seed
from reproductions import registry
from reproductions.common.seeding import seed_everything

pytestmark = pytest.mark.unit


def test_derive_seed_is_stable():
    assert derive_seed("initial-loss", 0) == derive_seed("initial-loss", 0)
    assert derive_seed("some-claim", 17) == derive_seed("some-claim", 17)


def test_derive_seed_regression_values():
    # Recorded once: changing the derivation silently changes every stored run's seed (and cache key).
    assert derive_seed("initial-loss", 0) == 1120735291
    assert derive_seed("init-scale-collapse", 3) == 2045884033


def test_derive_seed_differs_across_repeats():
    seeds = [derive_seed("initial-loss", repeat) for repeat in range(200)]
    assert len(set(seeds)) == len(seeds)


def test_derive_seed_differs_across_claims():
    for repeat in range(5):
        seeds = [derive_seed(claim_id, repeat) for claim_id in sorted(registry())]
        assert len(set(seeds)) == len(seeds)
    assert derive_seed("a", 0) != derive_seed("b", 0)
    # the separator keeps ('a-1', 0) and ('a', 10) apart
    assert derive_seed("a-1", 0) != derive_seed("a", 10)


def test_derive_seed_fits_in_31_bits():
    for claim_id in ("initial-loss", "init-scale-collapse", "x"):
        for repeat in (0, 1, 2, 99, 10**6):
            seed = derive_seed(claim_id, repeat)
            assert isinstance(seed, int)
            assert 0 <= seed < 2**31


def test_adding_repeats_keeps_earlier_seeds():
    first_five = [derive_seed("initial-loss", r) for r in range(5)]
    first_twenty = [derive_seed("initial-loss", r) for r in range(20)]
    assert first_twenty[:5] == first_five


@pytest.mark.parametrize("repeat", [-1, -100])
def test_negative_repeat_is_refused(repeat):
    with pytest.raises(ValueError):
        derive_seed("initial-loss", repeat)


def _draws():
    return (
        keras.ops.convert_to_numpy(keras.random.normal((4, 3))),
        keras.ops.convert_to_numpy(keras.random.uniform((5,))),
        np.random.rand(6),
        random.random(),
    )


def test_seed_everything_makes_draws_repeat():
    seed_everything(1234)
    first = _draws()
    seed_everything(1234)
    again = _draws()
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)


def test_seed_everything_different_seeds_differ():
    seed_everything(1)
    first = _draws()
    seed_everything(2)
    other = _draws()
    for a, b in zip(first, other):
        assert not np.array_equal(a, b)


def test_seed_everything_accepts_derived_seeds():
    seed = derive_seed("initial-loss", 0)
    seed_everything(seed)
    a = keras.ops.convert_to_numpy(keras.random.normal((3,)))
    seed_everything(np.int64(seed))  # as read back from a store
    b = keras.ops.convert_to_numpy(keras.random.normal((3,)))
    np.testing.assert_array_equal(a, b)


def test_consecutive_draws_after_seeding_are_not_identical():
    seed_everything(5)
    a = keras.ops.convert_to_numpy(keras.random.normal((8,)))
    b = keras.ops.convert_to_numpy(keras.random.normal((8,)))
    assert not np.array_equal(a, b)
