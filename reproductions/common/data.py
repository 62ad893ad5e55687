"""Offline datasets: Fashion-MNIST from local IDX files (checksum-verified), seeded subsets, synthetic inputs.

Fashion-MNIST is looked for, in order, in: an explicit directory (argument, or REPROBENCH_DATA_DIR),
Debian's `dataset-fashion-mnist` package (/usr/share/datasets/fashion-mnist), and the Keras cache
(~/.keras/datasets/fashion-mnist, or $KERAS_HOME). Nothing is ever downloaded.
The checksums are of the *decompressed* IDX payload, so the Debian files and the original archive
(gzipped differently) verify alike.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import math
import os
import pickle  # CIFAR-10's batches; see _ArraysOnlyUnpickler
import tarfile
import zlib
from pathlib import Path

import numpy as np

DATA_DIR_ENV = "REPROBENCH_DATA_DIR"
IMAGE_DATASETS = ("fashion-mnist", "cifar10")
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
HOW_TO_GET = (
    "install it with `apt-get install dataset-fashion-mnist`, or put the four Fashion-MNIST "
    "*-ubyte.gz files in a directory and pass --data-dir (or set REPROBENCH_DATA_DIR)"
)

# name -> (sha256 of the decompressed IDX bytes, shape)
FASHION_MNIST = {
    "train-images-idx3-ubyte.gz": ("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", (60000, 28, 28)),
    "train-labels-idx1-ubyte.gz": ("bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", (60000,)),
    "t10k-images-idx3-ubyte.gz": ("5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", (10000, 28, 28)),
    "t10k-labels-idx1-ubyte.gz": ("0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", (10000,)),
}

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class DataError(RuntimeError):
    """Data missing, corrupt or malformed; the message says what and how to fix it."""


def parse_idx(payload: bytes, source: str = "IDX data") -> np.ndarray:
    """Decode an IDX file (LeCun's format: 2 zero bytes, dtype code, ndim, big-endian dims, data)."""
    if len(payload) < 4 or payload[0] != 0 or payload[1] != 0:
        raise DataError(f"{source}: not an IDX file (bad magic number)")
    dtype_code, ndim = payload[2], payload[3]
    if dtype_code not in _IDX_DTYPES or ndim == 0:
        raise DataError(f"{source}: not an IDX file (type code {dtype_code:#x}, {ndim} dimensions)")
    header = 4 + 4 * ndim
    if len(payload) < header:
        raise DataError(f"{source}: IDX header truncated")
    shape = tuple(int.from_bytes(payload[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_DTYPES[dtype_code])
    expected = math.prod(shape) * dtype.itemsize
    if len(payload) - header != expected:
        raise DataError(f"{source}: IDX says shape {shape} ({expected} bytes) but holds {len(payload) - header} bytes")
    return np.frombuffer(payload, dtype=dtype, offset=header).reshape(shape)


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write an array as a gzipped IDX file (used by tests to make small, known files)."""
    codes = {np.dtype(v).str: k for k, v in _IDX_DTYPES.items()}
    array = np.asarray(array)
    if array.dtype != np.uint8 and array.dtype.newbyteorder(">").str not in codes:
        supported = "uint8, int8, int16, int32, float32, float64"
        raise ValueError(f"IDX cannot hold dtype {array.dtype}; use one of {supported}")
    if array.dtype == np.uint8:
        code = 0x08
    else:
        array = array.astype(array.dtype.newbyteorder(">"))
        code = codes[array.dtype.str]
    header = bytes([0, 0, code, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as handle:
        handle.write(header + array.tobytes())


def candidate_dirs(data_dir: str | os.PathLike | None = None) -> list[Path]:
    """Where Fashion-MNIST is looked for, in order; an explicit directory is the only place looked at."""
    explicit = data_dir or os.environ.get(DATA_DIR_ENV)
    if explicit:
        return [Path(explicit)]
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return [DEBIAN_DIR, keras_home / "datasets" / "fashion-mnist"]


def _read_verified(path: Path, sha256: str, shape: tuple[int, ...]) -> np.ndarray:
    try:
        with gzip.open(path, "rb") as handle:
            payload = handle.read()
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{path}: corrupt or truncated gzip ({error}); {HOW_TO_GET}") from None
    try:
        array = parse_idx(payload, str(path))  # IDX is plain numbers: safe to parse before verifying
    except DataError as error:
        raise DataError(f"{error}; {HOW_TO_GET}") from None
    if array.shape != shape:  # the clearer message for a wrong file (its checksum would not match either)
        raise DataError(f"{path}: an IDX array of shape {array.shape}, expected {shape}; {HOW_TO_GET}")
    digest = hashlib.sha256(payload).hexdigest()
    if digest != sha256:
        raise DataError(f"{path}: checksum mismatch (sha256 {digest[:12]}…, expected {sha256[:12]}…); {HOW_TO_GET}")
    return array


def check_data_dir(directory: str | os.PathLike) -> Path:
    """An explicitly given data directory must exist and be a directory."""
    directory = Path(directory)
    if not directory.exists():
        raise DataError(f"data directory {directory} does not exist; {HOW_TO_GET}")
    if not directory.is_dir():
        raise DataError(f"data directory {directory} is not a directory; {HOW_TO_GET}")
    return directory


def locate_fashion_mnist(data_dir: str | os.PathLike | None = None) -> Path:
    """The first candidate directory holding all four files, or a DataError saying where we looked."""
    dirs = candidate_dirs(data_dir)
    for directory in dirs:
        if all((directory / name).is_file() for name in FASHION_MNIST):
            return directory
    if data_dir or os.environ.get(DATA_DIR_ENV):
        directory = check_data_dir(dirs[0])
        missing = [name for name in FASHION_MNIST if not (directory / name).is_file()]
        raise DataError(f"Fashion-MNIST files missing in {directory}: {', '.join(missing)}; {HOW_TO_GET}")
    raise DataError(f"Fashion-MNIST not found (looked in {', '.join(str(d) for d in dirs)}); {HOW_TO_GET}")


@functools.lru_cache(maxsize=4)
def _load_cached(directory: str, files: tuple) -> tuple[np.ndarray, ...]:
    table = dict(files)
    return tuple(_read_verified(Path(directory) / name, *table[name]) for name in table)


def load_fashion_mnist(data_dir: str | os.PathLike | None = None):
    """((x_train, y_train), (x_test, y_test)): the arrays keras.datasets gives, read-only (they are cached)."""
    directory = locate_fashion_mnist(data_dir)
    x_train, y_train, x_test, y_test = _load_cached(str(directory), tuple(FASHION_MNIST.items()))
    return (x_train, y_train), (x_test, y_test)


def seeded_subset(x: np.ndarray, y: np.ndarray, size: int, seed: int, stratified: bool = True):
    """`size` examples drawn without replacement by `seed`; class-balanced when `stratified`."""
    index = subset_index(y, size, seed, stratified)
    return x[index], y[index]


def subset_index(y: np.ndarray, size: int, seed: int, stratified: bool = True) -> np.ndarray:
    """The indices of seeded_subset: `size` of len(y) drawn without replacement, class-balanced when `stratified`."""
    if size > len(y):
        raise ValueError(f"asked for {size} examples, only {len(y)} available")
    rng = np.random.default_rng(seed)
    if not stratified:
        index = rng.choice(len(y), size=size, replace=False)
    else:
        classes = np.unique(y)
        per_class = np.full(len(classes), size // len(classes))
        per_class[: size % len(classes)] += 1
        rng.shuffle(per_class)  # the remainder goes to random classes, not always the first ones
        pools = [np.flatnonzero(y == c) for c in classes]
        short = [int(c) for c, pool, n in zip(classes, pools, per_class) if len(pool) < n]
        if short:
            raise ValueError(f"a class-balanced subset of {size} needs more examples of classes {short}")
        index = np.concatenate([rng.choice(pool, size=n, replace=False) for pool, n in zip(pools, per_class)])
        rng.shuffle(index)
    return index


def train_validation_split(x: np.ndarray, y: np.ndarray, validation: int, seed: int):
    """Seeded split: (x_train, y_train), (x_val, y_val)."""
    if not 0 <= validation <= len(x):
        raise ValueError(f"validation size {validation} must be between 0 and {len(x)}")
    index = np.random.default_rng(seed).permutation(len(x))
    val, train = index[:validation], index[validation:]
    return (x[train], y[train]), (x[val], y[val])


def flatten_standardize(x: np.ndarray, mean: np.ndarray | None = None, std: np.ndarray | None = None):
    """Images -> float32 rows, zero mean and unit variance per feature (003: 'X -= np.mean(X, axis=0)')."""
    rows = x.reshape(len(x), -1).astype("float32") / 255.0
    mean = rows.mean(axis=0) if mean is None else mean
    std = rows.std(axis=0) + 1e-6 if std is None else std
    return (rows - mean) / std, mean, std


def gaussian_inputs(n: int, dim: int, seed: int) -> np.ndarray:
    """Unit Gaussian inputs (003: 'assume some unit gaussian 10-D input data', D = randn(1000, 500))."""
    return np.random.default_rng(seed).standard_normal((n, dim)).astype("float32")


def synthetic_classification(n: int, dim: int, classes: int, seed: int):
    """Gaussian inputs with uniformly random labels: for claims where the data do not matter."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, dim)).astype("float32"), rng.integers(0, classes, size=n).astype("int32")


def _load(dataset: str, data_dir):
    if dataset == "fashion-mnist":
        (x, y), (x_test, y_test) = load_fashion_mnist(data_dir)
        return (x[..., None], y), (x_test[..., None], y_test)  # NHWC, one channel
    if dataset == "cifar10":
        return load_cifar10(data_dir)
    raise ValueError(f"unknown dataset {dataset!r}; choose one of {IMAGE_DATASETS}")


def _subset(x, y, size, seed):
    """`size` seeded class-balanced examples; None takes the whole set."""
    return (x, y) if size is None or size == len(x) else seeded_subset(x, y, size, seed)


def _shape(images: np.ndarray, flat: bool) -> np.ndarray:
    return images.reshape(len(images), -1) if flat else images


def image_training_set(dataset: str, size: int | None, seed: int, data_dir: str | os.PathLike | None = None,
                       flat: bool = True):
    """A seeded, class-balanced subset of a dataset's training set (None: all of it), standardized over
    all pixels: float32 rows (flat) or NHWC images, with int32 labels."""
    (x, y), _ = _load(dataset, data_dir)
    x, y = _subset(x, y, size, seed)
    x = x.astype("float32") / 255.0
    return _shape((x - x.mean()) / x.std(), flat), y.astype("int32")


VALIDATION_POOLS = ("test", "train")


def image_split(dataset: str, train_size: int | None, validation_size: int | None, seed: int,
                data_dir: str | os.PathLike | None = None, flat: bool = True, validation_pool: str = "test"):
    """A seeded, class-balanced training subset and a validation subset (None: all of either), both
    standardized with the training subset's pixel mean and std: ((x_train, y_train), (x_val, y_val)),
    rows (flat) or NHWC images.

    `validation_pool` says where the validation subset comes from: 'test', the held-out test images, where
    verdicts are read; 'train', carved from the training images, disjoint from the training subset, for
    runs that make a choice (tuning), so no choice ever sees the images a verdict is read on. From the
    training images, None means as many as the test set holds, and the training subset comes from the rest.
    """
    if validation_pool not in VALIDATION_POOLS:
        raise ValueError(f"validation_pool must be one of {VALIDATION_POOLS}, got {validation_pool!r}")
    (x, y), (x_test, y_test) = _load(dataset, data_dir)
    if validation_pool == "train":
        held = subset_index(y, len(y_test) if validation_size is None else validation_size, seed + 1)
        rest = np.setdiff1d(np.arange(len(y)), held)
        x_test, y_test = x[held], y[held]
        x, y = x[rest], y[rest]
        validation_size = None
    x, y = _subset(x, y, train_size, seed)
    x_test, y_test = _subset(x_test, y_test, validation_size, seed + 1)
    x, x_test = x.astype("float32") / 255.0, x_test.astype("float32") / 255.0
    mean, std = x.mean(), x.std()
    return ((_shape((x - mean) / std, flat), y.astype("int32")),
            (_shape((x_test - mean) / std, flat), y_test.astype("int32")))


def fashion_mnist_training_set(size: int, seed: int, data_dir: str | os.PathLike | None = None, flat: bool = True):
    """image_training_set of Fashion-MNIST: rows (flat) or (n, 28, 28, 1) images."""
    return image_training_set("fashion-mnist", size, seed, data_dir, flat)


def fashion_mnist_split(train_size: int, validation_size: int, seed: int, data_dir: str | os.PathLike | None = None,
                        flat: bool = True):
    """image_split of Fashion-MNIST: rows (flat) or (n, 28, 28, 1) images."""
    return image_split("fashion-mnist", train_size, validation_size, seed, data_dir, flat)


def resolve_dataset(name: str, data_dir: str | os.PathLike | None = None) -> str:
    """`auto`: CIFAR-10 when its archive is here (checked against its SHA-256 when loaded), else
    Fashion-MNIST (the full profile's rule); any other name is returned as is."""
    if name != "auto":
        return name
    try:
        locate_cifar10(data_dir)
        return "cifar10"
    except DataError:
        return "fashion-mnist"


# CIFAR-10, python version: the archive Keras downloads (its checksum is the one keras.datasets.cifar10
# verifies). Its batches are pickles, so the archive's checksum is verified before anything in it is
# read, and even then only numpy's array-rebuilding globals may be unpickled.
CIFAR10_ARCHIVES = ("cifar-10-python.tar.gz", "cifar-10-batches-py-target.tar.gz")
CIFAR10_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
CIFAR10_HOW_TO_GET = (
    "put cifar-10-python.tar.gz (https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz) in a directory "
    "and pass --data-dir (or set REPROBENCH_DATA_DIR), or in ~/.keras/datasets/"
)
_PICKLE_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"), ("_codecs", "encode"),
}


class _ArraysOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _PICKLE_ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to unpickle {module}.{name}")


def locate_cifar10(data_dir: str | os.PathLike | None = None) -> Path:
    explicit = data_dir or os.environ.get(DATA_DIR_ENV)
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    dirs = [Path(explicit)] if explicit else [keras_home / "datasets"]
    for directory in dirs:
        for name in CIFAR10_ARCHIVES:
            if (directory / name).is_file():
                return directory / name
    raise DataError(f"CIFAR-10 not found (looked in {', '.join(str(d) for d in dirs)}); {CIFAR10_HOW_TO_GET}")


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_cifar10_archive(path: str | Path, sha256: str = CIFAR10_SHA256):
    """((x_train, y_train), (x_test, y_test)) as NHWC uint8 images and int labels, from a verified archive."""
    path = Path(path)
    digest = _sha256_of(path)
    if digest != sha256:  # nothing in an unverified archive is ever unpickled
        raise DataError(f"{path}: checksum mismatch (sha256 {digest[:12]}…, expected {sha256[:12]}…); "
                        f"{CIFAR10_HOW_TO_GET}")

    def batch(archive, name):
        member = archive.extractfile(f"cifar-10-batches-py/{name}")
        if member is None:
            raise DataError(f"{path}: {name} missing from the archive")
        try:
            content = _ArraysOnlyUnpickler(member, encoding="bytes").load()
            data = np.asarray(content[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
            labels = np.asarray(content[b"labels"], dtype=np.int64)
        except (pickle.UnpicklingError, KeyError, ValueError, EOFError) as error:
            raise DataError(f"{path}: {name} is not a CIFAR-10 batch ({error})") from None
        return data, labels

    try:
        with tarfile.open(path, "r:gz") as archive:
            train = [batch(archive, f"data_batch_{i}") for i in range(1, 6)]
            test = batch(archive, "test_batch")
    except (tarfile.TarError, KeyError, OSError, EOFError, zlib.error) as error:
        raise DataError(f"{path}: corrupt archive ({error}); {CIFAR10_HOW_TO_GET}") from None
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    return (x_train, y_train), test


@functools.lru_cache(maxsize=1)
def _cifar10_cached(path: str):
    return read_cifar10_archive(path)


def load_cifar10(data_dir: str | os.PathLike | None = None):
    """CIFAR-10 from the local archive, checksum-verified before anything is unpickled."""
    return _cifar10_cached(str(locate_cifar10(data_dir)))
