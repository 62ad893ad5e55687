"""Seeding: one call makes Python, NumPy and the Keras backend deterministic for a run."""

import keras


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and the backend (keras.utils.set_random_seed)."""
    keras.utils.set_random_seed(int(seed))
