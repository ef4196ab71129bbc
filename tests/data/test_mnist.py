"""IDX parsing, checksums, downloading, caching, and the MNIST / Fashion-MNIST / subset loaders.

Most tests use a small synthetic dataset written by the test, with its md5s injected into an
IdxDataset; the real MNIST is tested through $TINYGRAD_ACT_DATA when it is set.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tinygrad_act.data import (
    ChecksumError,
    DatasetNotFoundError,
    IdxFormatError,
    cache,
    data_folder,
    datasets,
    download,
    sources,
)
from tinygrad_act.data.download import md5_hex
from tinygrad_act.data.idx import IMAGES_MAGIC, LABELS_MAGIC, decompress, parse_idx
from tinygrad_act.data.sources import IdxDataset, IdxFile, verified_content

RNG = np.random.default_rng(0)
TRAIN_IMAGES = RNG.integers(0, 256, size=(6, 4, 3), dtype=np.uint8)
TRAIN_LABELS = np.array([3, 1, 4, 1, 5, 9], dtype=np.uint8)
TEST_IMAGES = RNG.integers(0, 256, size=(2, 4, 3), dtype=np.uint8)
TEST_LABELS = np.array([2, 7], dtype=np.uint8)
FILE_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def idx_bytes(array: np.ndarray, magic: int) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(size.to_bytes(4, "big") for size in array.shape)
    return header + array.astype(np.uint8).tobytes()


def synthetic_contents() -> dict[str, bytes]:
    """The uncompressed IDX bytes of the four synthetic files, by file name."""
    arrays = (
        (TRAIN_IMAGES, IMAGES_MAGIC), (TRAIN_LABELS, LABELS_MAGIC),
        (TEST_IMAGES, IMAGES_MAGIC), (TEST_LABELS, LABELS_MAGIC),
    )
    return {name: idx_bytes(array, magic) for name, (array, magic) in zip(FILE_NAMES, arrays)}


def gz(content: bytes) -> bytes:
    return gzip.compress(content, mtime=0)


def synthetic_spec(mirrors: tuple[str, ...] = ()) -> IdxDataset:
    """An IdxDataset for the synthetic files, with their md5s (of .gz and content) injected."""
    files = [IdxFile(name, md5_hex(gz(content)), md5_hex(content)) for name, content in synthetic_contents().items()]
    return IdxDataset("Synthetic", "synthetic", *files, mirrors=mirrors)


def write_files(folder: Path, compress: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in synthetic_contents().items():
        if compress:
            (folder / f"{name}.gz").write_bytes(gz(content))
        else:
            (folder / name).write_bytes(content)


class MirrorHandler(http.server.BaseHTTPRequestHandler):
    """Serves `responses[path]` one after another (the last one repeats); 404 for unknown paths."""

    responses: dict[str, list[bytes]] = {}
    requests: list[str] = []

    def do_GET(self) -> None:
        self.requests.append(self.path)
        queue = self.responses.get(self.path)
        if not queue:
            self.send_error(404)
            return
        body = queue.pop(0) if len(queue) > 1 else queue[0]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, message_format: str, *args: object) -> None:
        pass


@pytest.fixture
def mirror_server(monkeypatch) -> Iterator[type[MirrorHandler]]:
    """A local HTTP server on 127.0.0.1, in a thread, stopped at the end of the test."""
    handler = type("Handler", (MirrorHandler,), {"responses": {}, "requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setattr(download, "TIMEOUT_SECONDS", 5.0)
    yield handler
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def private_home(tmp_path, monkeypatch) -> Path:
    """A temporary home folder, so fallback caches do not go to the user's."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


# ---------------------------------------------------------------- IDX parsing


def test_parse_idx_reads_images_with_their_shape_and_pixels():
    images = parse_idx(idx_bytes(TRAIN_IMAGES, IMAGES_MAGIC), IMAGES_MAGIC)
    assert images.dtype == np.uint8 and images.shape == (6, 4, 3)
    np.testing.assert_array_equal(images, TRAIN_IMAGES)


def test_parse_idx_reads_labels():
    np.testing.assert_array_equal(parse_idx(idx_bytes(TRAIN_LABELS, LABELS_MAGIC), LABELS_MAGIC), TRAIN_LABELS)


def test_decompress_gunzips_gzip_content_and_passes_raw_content_through():
    content = idx_bytes(TRAIN_IMAGES, IMAGES_MAGIC)
    assert decompress(gz(content), "file.gz") == content
    assert decompress(content, "file") == content


def test_parse_idx_rejects_a_bad_magic_number():
    labels = idx_bytes(TRAIN_LABELS, LABELS_MAGIC)
    with pytest.raises(IdxFormatError, match=r"labels.idx: bad magic number 2049 .* expected 2051 \(IDX images\)"):
        parse_idx(labels, IMAGES_MAGIC, source="labels.idx")


def test_parse_idx_rejects_a_truncated_payload():
    content = idx_bytes(TRAIN_IMAGES, IMAGES_MAGIC)[:-5]
    with pytest.raises(IdxFormatError, match=r"is truncated: its header says shape \(6, 4, 3\) \(72 bytes"
                                             r" of data\), but only 67 bytes"):
        parse_idx(content, IMAGES_MAGIC)


def test_parse_idx_rejects_a_truncated_header():
    with pytest.raises(IdxFormatError, match="is truncated: 10 bytes, but its header alone needs 16"):
        parse_idx(idx_bytes(TRAIN_IMAGES, IMAGES_MAGIC)[:10], IMAGES_MAGIC)


def test_parse_idx_rejects_a_file_too_short_for_a_magic_number():
    with pytest.raises(IdxFormatError, match="is truncated: 2 bytes, too short for an IDX header"):
        parse_idx(b"\x00\x00", IMAGES_MAGIC)


def test_parse_idx_rejects_bytes_beyond_the_declared_shape():
    with pytest.raises(IdxFormatError, match=r"has 3 bytes more than its header's shape \(6,\)"):
        parse_idx(idx_bytes(TRAIN_LABELS, LABELS_MAGIC) + b"xyz", LABELS_MAGIC)


def test_decompress_rejects_a_truncated_gzip_file():
    with pytest.raises(IdxFormatError, match="images.gz is a damaged or truncated gzip file"):
        decompress(gz(idx_bytes(TRAIN_IMAGES, IMAGES_MAGIC))[:40], "images.gz")


# ---------------------------------------------------------------- finding and checking local files


def test_load_reads_gzip_files_from_the_dataset_subfolder(tmp_path):
    write_files(tmp_path / "synthetic")
    images, labels = synthetic_spec().load(train=True, root=tmp_path, download=False)
    np.testing.assert_array_equal(images, TRAIN_IMAGES)
    np.testing.assert_array_equal(labels, TRAIN_LABELS)


def test_load_reads_the_test_split(tmp_path):
    write_files(tmp_path / "synthetic")
    images, labels = synthetic_spec().load(train=False, root=tmp_path, download=False)
    np.testing.assert_array_equal(images, TEST_IMAGES)
    np.testing.assert_array_equal(labels, TEST_LABELS)


def test_load_accepts_uncompressed_idx_files(tmp_path):
    write_files(tmp_path / "synthetic", compress=False)
    images, _ = synthetic_spec().load(root=tmp_path, download=False)
    np.testing.assert_array_equal(images, TRAIN_IMAGES)


def test_load_accepts_a_recompressed_gzip_file_by_its_content_checksum(tmp_path):
    write_files(tmp_path / "synthetic")
    content = synthetic_contents()["train-images-idx3-ubyte"]
    recompressed = gzip.compress(content, compresslevel=1, mtime=12345)
    assert md5_hex(recompressed) != md5_hex(gz(content))
    (tmp_path / "synthetic" / "train-images-idx3-ubyte.gz").write_bytes(recompressed)
    images, _ = synthetic_spec().load(root=tmp_path, download=False)
    np.testing.assert_array_equal(images, TRAIN_IMAGES)


def test_load_reports_a_checksum_mismatch_naming_the_file(tmp_path):
    write_files(tmp_path / "synthetic")
    path = tmp_path / "synthetic" / "train-labels-idx1-ubyte.gz"
    path.write_bytes(gz(idx_bytes(np.array([0, 0, 0, 0, 0, 0]), LABELS_MAGIC)))
    with pytest.raises(ChecksumError, match=f"{path}: checksum mismatch: .*delete it to download it again"):
        synthetic_spec().load(root=tmp_path, download=False)


def test_verified_content_reports_a_truncated_gzip_as_a_checksum_mismatch(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gz(synthetic_contents()["train-images-idx3-ubyte"])[:30])
    with pytest.raises(ChecksumError, match="checksum mismatch: .*damaged or truncated gzip"):
        verified_content(path, synthetic_spec().train_images)


def test_load_rejects_images_and_labels_of_different_counts(tmp_path):
    spec = synthetic_spec()
    labels = idx_bytes(np.array([1, 2, 3]), LABELS_MAGIC)
    spec = dataclasses.replace(spec, train_labels=IdxFile("train-labels-idx1-ubyte", md5_hex(gz(labels)), ""))
    write_files(tmp_path / "synthetic")
    (tmp_path / "synthetic" / "train-labels-idx1-ubyte.gz").write_bytes(gz(labels))
    with pytest.raises(IdxFormatError, match="holds 6 images but train-labels-idx1-ubyte holds 3 labels"):
        spec.load(root=tmp_path, download=False)


def test_missing_files_without_download_raise_an_error_saying_what_to_put_where(tmp_path):
    folder = tmp_path / "synthetic"
    with pytest.raises(DatasetNotFoundError) as error:
        synthetic_spec().load(root=tmp_path, download=False)
    message = str(error.value)
    assert f"Put these files (gzip as distributed, or uncompressed without .gz) in {folder}:" in message
    for name in FILE_NAMES:
        assert f"  {name}.gz\n" in message
    assert "Downloading is off (download=False)." in message
    assert "$TINYGRAD_ACT_DATA" in message


def test_load_finds_files_in_a_system_folder(tmp_path):
    write_files(tmp_path / "system")
    spec = dataclasses.replace(synthetic_spec(), system_folders=(tmp_path / "system",))
    images, _ = spec.load(root=tmp_path / "empty", download=False)
    np.testing.assert_array_equal(images, TRAIN_IMAGES)


def test_data_folder_is_root_then_environment_then_home_cache(tmp_path, monkeypatch, private_home):
    monkeypatch.setenv("TINYGRAD_ACT_DATA", str(tmp_path / "env"))
    assert data_folder(tmp_path / "root") == tmp_path / "root"
    assert data_folder() == tmp_path / "env"
    monkeypatch.delenv("TINYGRAD_ACT_DATA")
    assert data_folder() == private_home / ".cache" / "tinygrad_act"


# ---------------------------------------------------------------- downloading


def serve_synthetic_files(server: type[MirrorHandler], prefix: str, corrupt_first: bool = False) -> None:
    for name, content in synthetic_contents().items():
        good = gz(content)
        server.responses[f"{prefix}/{name}.gz"] = [good[:-10] + b"corrupted!", good] if corrupt_first else [good]


def test_download_retries_a_corrupt_response_and_keeps_the_good_file(tmp_path, mirror_server):
    serve_synthetic_files(mirror_server, "/mirror", corrupt_first=True)
    spec = synthetic_spec(mirrors=(f"{mirror_server.base_url}/mirror/",))
    images, labels = spec.load(root=tmp_path, download=True)
    np.testing.assert_array_equal(images, TRAIN_IMAGES)
    np.testing.assert_array_equal(labels, TRAIN_LABELS)
    assert mirror_server.requests == ["/mirror/train-images-idx3-ubyte.gz"] * 2 + ["/mirror/train-labels-idx1-ubyte.gz"] * 2
    folder = tmp_path / "synthetic"
    assert md5_hex((folder / "train-images-idx3-ubyte.gz").read_bytes()) == spec.train_images.gz_md5
    assert not [path.name for path in folder.iterdir() if path.name.endswith(".tmp")]  # no partial download left


def test_download_moves_to_the_next_mirror_after_two_failed_attempts(tmp_path, mirror_server):
    serve_synthetic_files(mirror_server, "/second")
    spec = synthetic_spec(mirrors=(f"{mirror_server.base_url}/first", f"{mirror_server.base_url}/second"))
    images, _ = spec.load(root=tmp_path, download=True)
    np.testing.assert_array_equal(images, TRAIN_IMAGES)
    assert mirror_server.requests[:3] == [
        "/first/train-images-idx3-ubyte.gz", "/first/train-images-idx3-ubyte.gz", "/second/train-images-idx3-ubyte.gz"
    ]


def test_all_mirrors_failing_raises_an_error_naming_files_folder_and_urls(tmp_path, mirror_server):
    mirror_server.responses["/bad/train-images-idx3-ubyte.gz"] = [b"not the file"]
    spec = synthetic_spec(mirrors=(f"{mirror_server.base_url}/bad/", f"{mirror_server.base_url}/missing/"))
    with pytest.raises(DatasetNotFoundError) as error:
        spec.load(root=tmp_path, download=True)
    message = str(error.value)
    assert f"in {tmp_path / 'synthetic'}:\n  train-images-idx3-ubyte.gz\n" in message
    assert f"{mirror_server.base_url}/bad/train-images-idx3-ubyte.gz: corrupt transfer: md5 " in message
    assert f"{mirror_server.base_url}/missing/train-images-idx3-ubyte.gz: HTTP Error 404" in message
    assert len(mirror_server.requests) == 4
    assert not list((tmp_path / "synthetic").glob("*"))
    assert message.count(f"{mirror_server.base_url}/missing/train-images-idx3-ubyte.gz") == 1  # said once
    assert "(2 attempts)" in message


def test_download_into_a_read_only_folder_raises_the_helpful_error(tmp_path, mirror_server):
    serve_synthetic_files(mirror_server, "/mirror")
    read_only = tmp_path / "read-only"
    read_only.mkdir(mode=0o555)
    with pytest.raises(DatasetNotFoundError, match=r"(?s)Put these files.*Cannot download: .* is read-only"):
        synthetic_spec(mirrors=(f"{mirror_server.base_url}/mirror",)).load(root=read_only)
    assert mirror_server.requests == []


def test_download_from_a_file_url(tmp_path):
    write_files(tmp_path / "source")
    spec = synthetic_spec(mirrors=((tmp_path / "source").as_uri(),))
    images, _ = spec.load(root=tmp_path / "data", download=True)
    np.testing.assert_array_equal(images, TRAIN_IMAGES)
    assert (tmp_path / "data" / "synthetic" / "train-images-idx3-ubyte.gz").is_file()


# ---------------------------------------------------------------- caching


@pytest.fixture
def parse_calls(monkeypatch) -> list[int]:
    """Counts calls of parse_idx made by the loader (one per file parsed rather than read from cache)."""
    calls = []

    def counting_parse(*args, **kwargs):
        calls.append(1)
        return parse_idx(*args, **kwargs)

    monkeypatch.setattr(sources, "parse_idx", counting_parse)
    return calls


def test_second_load_reads_the_cache_without_parsing(tmp_path, parse_calls):
    write_files(tmp_path / "synthetic")
    synthetic_spec().load(root=tmp_path, download=False)
    assert len(parse_calls) == 2
    images, labels = synthetic_spec().load(root=tmp_path, download=False)
    assert len(parse_calls) == 2
    np.testing.assert_array_equal(images, TRAIN_IMAGES)
    np.testing.assert_array_equal(labels, TRAIN_LABELS)
    assert len(list((tmp_path / "synthetic" / "cache").glob("*.npy"))) == 2


def test_a_changed_source_file_invalidates_its_cache(tmp_path, parse_calls):
    write_files(tmp_path / "synthetic")
    synthetic_spec().load(root=tmp_path, download=False)
    path = tmp_path / "synthetic" / "train-images-idx3-ubyte.gz"
    path.write_bytes(b"changed")
    with pytest.raises(ChecksumError, match="checksum mismatch"):
        synthetic_spec().load(root=tmp_path, download=False)
    path.write_bytes(gzip.compress(synthetic_contents()["train-images-idx3-ubyte"], compresslevel=1))
    calls_before = len(parse_calls)
    synthetic_spec().load(root=tmp_path, download=False)
    assert len(parse_calls) == calls_before + 1
    assert len(list((tmp_path / "synthetic" / "cache").glob("train-images*.npy"))) == 1
    assert len(list((tmp_path / "synthetic" / "cache").glob("train-images*.npy.sha256"))) == 1


def test_a_corrupt_cache_file_is_ignored_and_rewritten(tmp_path, parse_calls):
    write_files(tmp_path / "synthetic")
    synthetic_spec().load(root=tmp_path, download=False)
    for cached in (tmp_path / "synthetic" / "cache").glob("*.npy"):
        cached.write_bytes(b"garbage")
    images, _ = synthetic_spec().load(root=tmp_path, download=False)
    np.testing.assert_array_equal(images, TRAIN_IMAGES)
    assert len(parse_calls) == 4
    synthetic_spec().load(root=tmp_path, download=False)
    assert len(parse_calls) == 4


def test_each_cache_file_has_the_sha256_of_its_bytes_beside_it(tmp_path):
    write_files(tmp_path / "synthetic")
    synthetic_spec().load(root=tmp_path, download=False)
    cached_files = sorted((tmp_path / "synthetic" / "cache").glob("*.npy"))
    assert len(cached_files) == 2
    for cached in cached_files:
        recorded = cache.checksum_path(cached).read_text()
        assert recorded == hashlib.sha256(cached.read_bytes()).hexdigest()


def test_a_cache_with_one_flipped_byte_is_not_used_but_rebuilt(tmp_path, parse_calls):
    write_files(tmp_path / "synthetic")
    synthetic_spec().load(root=tmp_path, download=False)
    (cached,) = (tmp_path / "synthetic" / "cache").glob("train-images*.npy")
    good = cached.read_bytes()
    damaged = bytearray(good)
    damaged[-1] ^= 0xFF  # the last pixel: the copy still parses, with a wrong value
    cached.write_bytes(damaged)
    images, labels = synthetic_spec().load(root=tmp_path, download=False)
    np.testing.assert_array_equal(images, TRAIN_IMAGES)
    np.testing.assert_array_equal(labels, TRAIN_LABELS)
    assert len(parse_calls) == 3
    assert cached.read_bytes() == good
    synthetic_spec().load(root=tmp_path, download=False)
    assert len(parse_calls) == 3


def test_a_cache_without_its_checksum_is_rebuilt(tmp_path, parse_calls):
    write_files(tmp_path / "synthetic")
    synthetic_spec().load(root=tmp_path, download=False)
    for checksum in (tmp_path / "synthetic" / "cache").glob("*.sha256"):
        checksum.unlink()
    images, _ = synthetic_spec().load(root=tmp_path, download=False)
    np.testing.assert_array_equal(images, TRAIN_IMAGES)
    assert len(parse_calls) == 4
    assert len(list((tmp_path / "synthetic" / "cache").glob("*.sha256"))) == 2


def test_read_only_data_folder_caches_in_the_home_cache(tmp_path, private_home, parse_calls):
    write_files(tmp_path / "shared" / "synthetic")
    for path in (tmp_path / "shared", tmp_path / "shared" / "synthetic"):
        path.chmod(0o555)
    synthetic_spec().load(root=tmp_path / "shared", download=False)
    synthetic_spec().load(root=tmp_path / "shared", download=False)
    assert len(parse_calls) == 2
    assert not (tmp_path / "shared" / "synthetic" / "cache").exists()
    assert len(list((private_home / ".cache" / "tinygrad_act" / "cache" / "synthetic").glob("*.npy"))) == 2


def test_load_succeeds_when_no_cache_folder_can_be_written(tmp_path, monkeypatch, parse_calls):
    write_files(tmp_path / "synthetic")
    read_only = tmp_path / "read-only"
    read_only.mkdir(mode=0o555)
    monkeypatch.setattr(sources, "cache_folders", lambda folder, subfolder: [read_only / "cache"])
    for _ in range(2):
        images, _ = synthetic_spec().load(root=tmp_path, download=False)
        np.testing.assert_array_equal(images, TRAIN_IMAGES)
    assert len(parse_calls) == 4
    assert list(read_only.iterdir()) == []


def test_cache_folders_fall_back_to_home_then_temp(tmp_path, private_home):
    folders = cache.cache_folders(tmp_path / "mnist", "mnist")
    assert folders[:2] == [tmp_path / "mnist" / "cache", private_home / ".cache" / "tinygrad_act" / "cache" / "mnist"]
    assert folders[2].parts[-2:] == ("tinygrad_act-cache", "mnist")


def test_folder_without_write_bits_counts_as_read_only(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    assert cache.is_writable(tmp_path / "new" / "deeper")
    assert not cache.is_writable(folder / "new")


# ---------------------------------------------------------------- public loaders


def test_mnist_returns_flat_float32_images_in_unit_range_and_int64_labels(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "MNIST", dataclasses.replace(synthetic_spec(), subfolder="mnist"))
    write_files(tmp_path / "mnist")
    images, labels = datasets.mnist(train=True, root=tmp_path)
    assert images.dtype == np.float32 and images.shape == (6, 12)
    np.testing.assert_array_equal(images, TRAIN_IMAGES.reshape(6, 12) / np.float32(255))
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, TRAIN_LABELS)


def test_load_dispatches_by_dataset_name(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "FASHION_MNIST", dataclasses.replace(synthetic_spec(), subfolder="fashion-mnist"))
    write_files(tmp_path / "fashion-mnist")
    images, labels = datasets.load("fashion-mnist", train=False, root=tmp_path, download=False)
    assert images.shape == (2, 12)
    np.testing.assert_array_equal(labels, TEST_LABELS)


def test_load_of_an_unknown_dataset_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown dataset 'cifar'; valid names: mnist, fashion-mnist"):
        datasets.load("cifar")


def test_datasets_lists_the_loadable_names():
    assert datasets.DATASETS == ("mnist", "fashion-mnist", "digits", "mnist1d")


def test_mnist_subset_has_100_training_images_of_each_digit():
    images, labels = datasets.mnist_subset(train=True)
    assert images.shape == (1000, 784) and images.dtype == np.float32
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(labels), [100] * 10)
    assert images.min() == 0.0 and images.max() == 1.0


def test_mnist_subset_has_50_test_images_of_each_digit():
    images, labels = datasets.mnist_subset(train=False)
    assert images.shape == (500, 784)
    np.testing.assert_array_equal(np.bincount(labels), [50] * 10)


def test_mnist_subset_fixture_stays_small():
    assert datasets.MNIST_SUBSET_PATH.stat().st_size < 1_000_000


# ---------------------------------------------------------------- the real datasets

REAL_DATA = os.environ.get("TINYGRAD_ACT_DATA")
needs_real_mnist = pytest.mark.needs_mnist
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@needs_real_mnist
def test_real_mnist_training_set():
    images, labels = datasets.mnist(train=True, download=False)
    assert images.shape == (60000, 784) and images.dtype == np.float32
    assert images.min() == 0.0 and images.max() == 1.0
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(labels), MNIST_TRAIN_COUNTS)


@needs_real_mnist
def test_real_mnist_test_set():
    images, labels = datasets.mnist(train=False, download=False)
    assert images.shape == (10000, 784) and images.dtype == np.float32
    np.testing.assert_array_equal(np.bincount(labels), MNIST_TEST_COUNTS)


@needs_real_mnist
@pytest.mark.parametrize("file", [datasets.MNIST.train_labels, datasets.MNIST.test_images], ids=lambda f: f.name)
def test_real_mnist_files_match_their_known_checksums(file):
    path = Path(REAL_DATA) / "mnist" / f"{file.name}.gz"
    assert md5_hex(path.read_bytes()) == file.gz_md5
    assert md5_hex(verified_content(path, file)) == file.content_md5


needs_debian_fashion_mnist = pytest.mark.skipif(
    not datasets.FASHION_MNIST_DEBIAN_FOLDER.is_dir(),
    reason="Fashion-MNIST not installed: apt-get install dataset-fashion-mnist",
)


@needs_debian_fashion_mnist
def test_fashion_mnist_loads_from_the_debian_package(tmp_path):
    images, labels = datasets.fashion_mnist(train=False, root=tmp_path / "empty", download=False)
    assert images.shape == (10000, 784) and images.dtype == np.float32
    assert images.min() == 0.0 and images.max() == 1.0
    np.testing.assert_array_equal(np.bincount(labels), [1000] * 10)
