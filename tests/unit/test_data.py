"""Offline data: IDX parsing and writing, locating and verifying Fashion-MNIST, seeded subsets and splits."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest

from reproductions.common import data
from reproductions.common.data import (
    DATA_DIR_ENV,
    FASHION_MNIST,
    DataError,
    load_fashion_mnist,
    locate_fashion_mnist,
    parse_idx,
    seeded_subset,
    train_validation_split,
    write_idx,
)

pytestmark = pytest.mark.unit

REAL_DIR = Path("/usr/share/datasets/fashion-mnist")
NAMES = tuple(FASHION_MNIST)


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No data directory from the environment, no stale cached loads, no Keras cache of the user's."""
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    data._load_cached.cache_clear()
    yield
    data._load_cached.cache_clear()


def read_gz(path: Path) -> bytes:
    with gzip.open(path, "rb") as handle:
        return handle.read()


def sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def idx_bytes(code: int, shape: tuple[int, ...], body: bytes) -> bytes:
    return bytes([0, 0, code, len(shape)]) + b"".join(d.to_bytes(4, "big") for d in shape) + body


def tiny_fashion_mnist(directory: Path, seed: int = 0) -> dict[str, np.ndarray]:
    """Four small files with Fashion-MNIST's names (and so wrong checksums)."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (30, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, 30, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 20, dtype=np.uint8),
    }
    directory.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        write_idx(directory / name, array)
    return arrays


def table_for(directory: Path, arrays: dict[str, np.ndarray]) -> dict:
    """A checksum table that the tiny files satisfy."""
    return {name: (sha256(read_gz(directory / name)), array.shape) for name, array in arrays.items()}


# --------------------------------------------------------------------------- IDX round trip


@pytest.mark.parametrize("array", [
    np.random.default_rng(1).integers(0, 256, (7, 28, 28), dtype=np.uint8),
    np.random.default_rng(2).integers(0, 10, 50, dtype=np.uint8),
    np.random.default_rng(3).standard_normal((4, 5)).astype(np.float32),
    np.random.default_rng(4).standard_normal((3, 2, 2)).astype(np.float64),
    np.random.default_rng(5).integers(-128, 128, 9, dtype=np.int8),
    np.random.default_rng(6).integers(-30000, 30000, (2, 3), dtype=np.int16),
    np.random.default_rng(7).integers(-2**31, 2**31 - 1, (6,), dtype=np.int32),
], ids=["uint8-images", "uint8-labels", "float32", "float64", "int8", "int16", "int32"])
def test_idx_round_trip(tmp_path, array):
    path = tmp_path / "x-idx.gz"
    write_idx(path, array)
    payload = read_gz(path)
    assert payload[:2] == b"\x00\x00" and payload[3] == array.ndim
    parsed = parse_idx(payload)
    assert parsed.shape == array.shape
    assert parsed.dtype.kind == array.dtype.kind and parsed.dtype.itemsize == array.dtype.itemsize
    np.testing.assert_array_equal(parsed, array)


def test_idx_header_is_lecun_format(tmp_path):
    path = tmp_path / "labels-idx1-ubyte.gz"
    write_idx(path, np.arange(5, dtype=np.uint8))
    assert read_gz(path) == bytes([0, 0, 0x08, 1, 0, 0, 0, 5, 0, 1, 2, 3, 4])
    write_idx(path, np.array([1.5], dtype=np.float32))
    assert read_gz(path) == bytes([0, 0, 0x0D, 1, 0, 0, 0, 1]) + np.array([1.5], ">f4").tobytes()


def test_parse_idx_of_big_endian_int32():
    body = np.array([[1, -2], [300000, 4]], dtype=">i4").tobytes()
    parsed = parse_idx(idx_bytes(0x0C, (2, 2), body))
    np.testing.assert_array_equal(parsed, [[1, -2], [300000, 4]])


# --------------------------------------------------------------------------- malformed IDX


def test_parse_idx_rejects_bad_magic():
    good = idx_bytes(0x08, (3,), b"\x01\x02\x03")
    for bad in (b"\x01" + good[1:], b"\x00\x07" + good[2:], b"\x1f\x8b\x08\x00"):  # the last: gzip, not IDX
        with pytest.raises(DataError, match="magic"):
            parse_idx(bad, "somefile")
    with pytest.raises(DataError):
        parse_idx(b"", "empty")


def test_parse_idx_rejects_unknown_type_and_zero_dimensions():
    with pytest.raises(DataError, match="type code"):
        parse_idx(idx_bytes(0x07, (3,), b"\x01\x02\x03"))
    with pytest.raises(DataError):
        parse_idx(bytes([0, 0, 0x08, 0]))


def test_parse_idx_rejects_truncated_header():
    with pytest.raises(DataError, match="truncated"):
        parse_idx(bytes([0, 0, 0x08, 3, 0, 0, 0, 5]))


def test_parse_idx_rejects_truncated_payload():
    payload = idx_bytes(0x08, (2, 28, 28), bytes(2 * 28 * 28))
    parse_idx(payload)  # intact: fine
    with pytest.raises(DataError, match="holds"):
        parse_idx(payload[:-1], "cut-short")
    with pytest.raises(DataError, match="cut-short"):
        parse_idx(payload[:-100], "cut-short")


def test_parse_idx_rejects_wrong_declared_size():
    with pytest.raises(DataError, match=r"\(4,\)"):
        parse_idx(idx_bytes(0x08, (4,), b"\x01\x02\x03"))  # says 4, holds 3
    with pytest.raises(DataError):
        parse_idx(idx_bytes(0x08, (2,), b"\x01\x02\x03"))  # says 2, holds 3
    with pytest.raises(DataError):
        parse_idx(idx_bytes(0x0D, (3,), bytes(3)))  # 3 float32 need 12 bytes


def test_data_error_is_a_runtime_error():
    assert issubclass(DataError, RuntimeError)


# --------------------------------------------------------------------------- locating and verifying


def test_files_of_the_wrong_shape_say_so_and_how_to_get_the_data(tmp_path):
    tiny_fashion_mnist(tmp_path / "fake")  # 30 training images where Fashion-MNIST has 60000
    with pytest.raises(DataError) as caught:
        load_fashion_mnist(tmp_path / "fake")
    message = str(caught.value)
    assert "shape (30, 28, 28), expected (60000, 28, 28)" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "fake" in message


def test_right_shape_wrong_content_fails_the_checksum(tmp_path, monkeypatch):
    directory = tmp_path / "tiny"
    arrays = tiny_fashion_mnist(directory)
    table = table_for(directory, arrays)
    name = "train-labels-idx1-ubyte.gz"
    table[name] = ("0" * 64, table[name][1])  # the shape matches, the content is not the one expected
    monkeypatch.setattr(data, "FASHION_MNIST", table)
    with pytest.raises(DataError, match=f"{name}: checksum mismatch .*apt-get install dataset-fashion-mnist"):
        load_fashion_mnist(directory)


def test_tiny_files_load_when_the_checksums_match(tmp_path, monkeypatch):
    directory = tmp_path / "tiny"
    arrays = tiny_fashion_mnist(directory)
    monkeypatch.setattr(data, "FASHION_MNIST", table_for(directory, arrays))
    (x_train, y_train), (x_test, y_test) = load_fashion_mnist(directory)
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(x_test, arrays["t10k-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert x_train.dtype == np.uint8 and y_test.dtype == np.uint8


def test_one_altered_file_is_caught(tmp_path, monkeypatch):
    directory = tmp_path / "tiny"
    arrays = tiny_fashion_mnist(directory)
    monkeypatch.setattr(data, "FASHION_MNIST", table_for(directory, arrays))
    labels = arrays["t10k-labels-idx1-ubyte.gz"].copy()
    labels[0] = (labels[0] + 1) % 10
    write_idx(directory / "t10k-labels-idx1-ubyte.gz", labels)  # same shape, one label changed
    with pytest.raises(DataError, match="checksum.*t10k-labels|t10k-labels.*checksum"):
        load_fashion_mnist(directory)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "plain-idx"])
def test_corrupt_gzip_is_a_data_error(tmp_path, monkeypatch, damage):
    directory = tmp_path / "broken"
    arrays = tiny_fashion_mnist(directory)
    monkeypatch.setattr(data, "FASHION_MNIST", table_for(directory, arrays))  # the other three verify
    target = directory / "train-labels-idx1-ubyte.gz"
    raw = target.read_bytes()
    if damage == "truncated":
        target.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        target.write_bytes(raw[:10] + bytes(range(256)) * 4)
    elif damage == "empty":
        target.write_bytes(b"")
    else:  # an uncompressed IDX file under a .gz name
        target.write_bytes(read_gz(target))
    with pytest.raises(DataError) as caught:
        load_fashion_mnist(directory)
    message = str(caught.value)
    if damage != "empty":  # an empty file is a valid, empty gzip stream: it fails as IDX instead
        assert "gzip" in message
    assert "train-labels-idx1-ubyte.gz" in message
    assert "apt-get install dataset-fashion-mnist" in message


def test_missing_directory(tmp_path):
    nowhere = tmp_path / "does-not-exist"
    with pytest.raises(DataError, match="does not exist") as caught:
        locate_fashion_mnist(nowhere)
    assert str(nowhere) in str(caught.value)
    assert "apt-get install dataset-fashion-mnist" in str(caught.value)
    with pytest.raises(DataError, match="does not exist"):
        load_fashion_mnist(nowhere)


def test_missing_files_are_listed(tmp_path):
    directory = tmp_path / "partial"
    tiny_fashion_mnist(directory)
    (directory / "t10k-images-idx3-ubyte.gz").unlink()
    (directory / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="missing") as caught:
        locate_fashion_mnist(directory)
    message = str(caught.value)
    assert "t10k-images-idx3-ubyte.gz" in message and "train-labels-idx1-ubyte.gz" in message
    assert "train-images-idx3-ubyte.gz" not in message and "t10k-labels-idx1-ubyte.gz" not in message


def test_empty_directory_lists_all_four(tmp_path):
    with pytest.raises(DataError) as caught:
        locate_fashion_mnist(tmp_path)
    assert all(name in str(caught.value) for name in NAMES)


def test_environment_variable_is_respected(tmp_path, monkeypatch):
    directory = tmp_path / "from-env"
    arrays = tiny_fashion_mnist(directory)
    monkeypatch.setenv(DATA_DIR_ENV, str(directory))
    assert locate_fashion_mnist() == directory
    assert data.candidate_dirs() == [directory]  # the only place looked at
    monkeypatch.setattr(data, "FASHION_MNIST", table_for(directory, arrays))
    (x_train, _), _ = load_fashion_mnist()
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])


def test_environment_variable_pointing_nowhere_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "gone"))
    with pytest.raises(DataError, match="does not exist"):
        locate_fashion_mnist()
    with pytest.raises(DataError, match="gone"):
        load_fashion_mnist()


def test_explicit_directory_wins_over_the_environment(tmp_path, monkeypatch):
    env_dir, arg_dir = tmp_path / "env", tmp_path / "arg"
    tiny_fashion_mnist(env_dir)
    tiny_fashion_mnist(arg_dir)
    monkeypatch.setenv(DATA_DIR_ENV, str(env_dir))
    assert locate_fashion_mnist(arg_dir) == arg_dir
    assert locate_fashion_mnist(str(arg_dir)) == arg_dir


def test_default_search_order_and_not_found_message(tmp_path, monkeypatch):
    debian = tmp_path / "debian"
    monkeypatch.setattr(data, "DEBIAN_DIR", debian)
    keras_dir = tmp_path / "keras-home" / "datasets" / "fashion-mnist"
    assert data.candidate_dirs() == [debian, keras_dir]
    with pytest.raises(DataError, match="not found") as caught:
        locate_fashion_mnist()
    assert str(debian) in str(caught.value) and str(keras_dir) in str(caught.value)
    tiny_fashion_mnist(keras_dir)
    assert locate_fashion_mnist() == keras_dir  # the Keras cache is used when Debian's is absent
    tiny_fashion_mnist(debian)
    assert locate_fashion_mnist() == debian  # and Debian's comes first


def test_checksum_table_is_well_formed():
    assert set(FASHION_MNIST) == {
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
    }
    for name, (digest, shape) in FASHION_MNIST.items():
        assert len(digest) == 64 and int(digest, 16) >= 0, name
        assert shape[0] in (60000, 10000)
    assert len({digest for digest, _ in FASHION_MNIST.values()}) == 4


# --------------------------------------------------------------------------- the real data


@pytest.mark.skipif(not all((REAL_DIR / name).is_file() for name in NAMES),
                    reason="Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)")
def test_real_fashion_mnist_loads_and_verifies():
    for name, (digest, _) in FASHION_MNIST.items():
        assert sha256(read_gz(REAL_DIR / name)) == digest, name
    (x_train, y_train), (x_test, y_test) = load_fashion_mnist(REAL_DIR)
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and x_test.dtype == np.uint8
    assert y_test.shape == (10000,) and y_test.dtype == np.uint8
    assert set(np.unique(y_train)) == set(range(10))
    np.testing.assert_array_equal(np.bincount(y_train), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [1000] * 10)
    assert 0 < x_train.mean() < 255
    # a second load comes from the cache
    again = load_fashion_mnist(REAL_DIR)
    assert again[0][0] is x_train


# --------------------------------------------------------------------------- seeded subsets and splits


def _labelled(n: int = 1000, classes: int = 10):
    x = np.arange(n, dtype=np.int64)  # x[i] == i, so rows can be traced back
    y = (x % classes).astype(np.uint8)
    return x, y


def test_seeded_subset_is_deterministic_per_seed():
    x, y = _labelled()
    for stratified in (True, False):
        a = seeded_subset(x, y, 100, seed=3, stratified=stratified)
        b = seeded_subset(x, y, 100, seed=3, stratified=stratified)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])


def test_seeded_subset_differs_across_seeds():
    x, y = _labelled()
    for stratified in (True, False):
        a, _ = seeded_subset(x, y, 100, seed=3, stratified=stratified)
        b, _ = seeded_subset(x, y, 100, seed=4, stratified=stratified)
        assert set(a) != set(b)


def test_seeded_subset_draws_without_replacement_and_keeps_pairs():
    x, y = _labelled()
    for stratified in (True, False):
        xs, ys = seeded_subset(x, y, 250, seed=5, stratified=stratified)
        assert len(xs) == len(ys) == 250
        assert len(set(xs)) == 250
        np.testing.assert_array_equal(ys, y[xs])  # each label still belongs to its example


def test_seeded_subset_is_class_balanced_when_stratified():
    rng = np.random.default_rng(6)
    y = np.concatenate([np.zeros(900), rng.integers(1, 10, 1100)]).astype(np.uint8)  # class 0 dominates
    x = np.arange(len(y))
    _, ys = seeded_subset(x, y, 100, seed=7, stratified=True)
    np.testing.assert_array_equal(np.bincount(ys, minlength=10), [10] * 10)
    _, ys = seeded_subset(x, y, 105, seed=7, stratified=True)
    counts = np.bincount(ys, minlength=10)
    assert counts.sum() == 105 and counts.max() - counts.min() == 1
    _, ys = seeded_subset(x, y, 100, seed=7, stratified=False)
    assert np.bincount(ys, minlength=10)[0] > 25  # without stratification, class 0's share shows


def test_stratified_subset_is_shuffled():
    x, y = _labelled()
    _, ys = seeded_subset(x, y, 100, seed=8, stratified=True)
    assert not np.all(np.diff(ys.astype(int)) >= 0)  # not sorted by class


def test_seeded_subset_too_large_is_refused():
    x, y = _labelled(50)
    with pytest.raises(ValueError, match="only 50"):
        seeded_subset(x, y, 51, seed=0)
    xs, _ = seeded_subset(x, y, 50, seed=0, stratified=False)
    assert sorted(xs) == list(range(50))


def test_seeded_subset_works_on_images():
    rng = np.random.default_rng(9)
    x = rng.integers(0, 256, (200, 28, 28), dtype=np.uint8)
    y = np.repeat(np.arange(10, dtype=np.uint8), 20)
    xs, ys = seeded_subset(x, y, 30, seed=1)
    assert xs.shape == (30, 28, 28) and xs.dtype == np.uint8
    np.testing.assert_array_equal(np.bincount(ys), [3] * 10)


def test_train_validation_split_is_disjoint_and_covers_all():
    x, y = _labelled(500)
    (x_train, y_train), (x_val, y_val) = train_validation_split(x, y, validation=120, seed=11)
    assert len(x_val) == len(y_val) == 120
    assert len(x_train) == len(y_train) == 380
    assert set(x_train).isdisjoint(x_val)
    assert set(x_train) | set(x_val) == set(x)
    np.testing.assert_array_equal(y_train, y[x_train])
    np.testing.assert_array_equal(y_val, y[x_val])


def test_train_validation_split_is_seeded():
    x, y = _labelled(500)
    first = train_validation_split(x, y, validation=100, seed=11)
    again = train_validation_split(x, y, validation=100, seed=11)
    other = train_validation_split(x, y, validation=100, seed=12)
    np.testing.assert_array_equal(first[1][0], again[1][0])
    np.testing.assert_array_equal(first[0][0], again[0][0])
    assert set(first[1][0]) != set(other[1][0])
    assert not np.array_equal(first[1][0], np.arange(100))  # shuffled, not the first rows


# --------------------------------------------------------------------------- CIFAR-10: no unverified pickle


class _Payload:
    """A pickle that, if ever loaded by a plain unpickler, creates a marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _cifar_archive(path, batch_payload) -> str:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            blob = pickle.dumps(batch_payload(name), protocol=2)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(blob)
            archive.addfile(info, io.BytesIO(blob))
    path.write_bytes(buffer.getvalue())
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def test_cifar10_archive_loads_when_verified(tmp_path):
    rng = np.random.default_rng(0)
    images = {name: rng.integers(0, 256, (4, 3072), dtype=np.uint8) for name in
              [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]}
    sha = _cifar_archive(tmp_path / "cifar-10-python.tar.gz",
                         lambda name: {b"data": images[name], b"labels": [0, 1, 2, 3]})
    (x_train, y_train), (x_test, y_test) = data.read_cifar10_archive(tmp_path / "cifar-10-python.tar.gz", sha)
    assert x_train.shape == (20, 32, 32, 3) and x_test.shape == (4, 32, 32, 3) and list(y_test) == [0, 1, 2, 3]
    np.testing.assert_array_equal(x_test[1], images["test_batch"][1].reshape(3, 32, 32).transpose(1, 2, 0))


def test_cifar10_unverified_archive_is_never_unpickled(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    _cifar_archive(tmp_path / "cifar-10-python.tar.gz", lambda name: _Payload(marker))
    monkeypatch.setenv("REPROBENCH_DATA_DIR", str(tmp_path))
    with pytest.raises(DataError, match="checksum mismatch"):
        data.load_cifar10()
    assert not marker.exists()


def test_cifar10_only_arrays_are_unpickled_even_when_the_checksum_matches(tmp_path):
    marker = tmp_path / "pwned"
    sha = _cifar_archive(tmp_path / "c.tar.gz", lambda name: {b"data": _Payload(marker), b"labels": [0]})
    with pytest.raises(DataError, match="refusing to unpickle posix.system|refusing to unpickle os.system"):
        data.read_cifar10_archive(tmp_path / "c.tar.gz", sha)
    assert not marker.exists()


def test_cifar10_missing_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("REPROBENCH_DATA_DIR", str(tmp_path))
    with pytest.raises(DataError, match="CIFAR-10 not found .*cifar-10-python.tar.gz"):
        data.load_cifar10()
