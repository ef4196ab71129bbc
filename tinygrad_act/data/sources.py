"""Where an IDX dataset's files are found, how they are checked, downloaded when missing, and cached.

The data folder is `root`, else $TINYGRAD_ACT_DATA, else ~/.cache/tinygrad_act; each dataset keeps
its files in its own subfolder there (`mnist/`, `fashion-mnist/`). A file may be the gzip file as
distributed (`train-images-idx3-ubyte.gz`) or the uncompressed IDX file (`train-images-idx3-ubyte`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .cache import cache_folders, cached_array, is_writable
from .download import ChecksumError, DownloadError, download, md5_hex
from .idx import IMAGES_MAGIC, LABELS_MAGIC, IdxFormatError, decompress, parse_idx

DATA_ENV_VAR = "TINYGRAD_ACT_DATA"
_DELETE_ADVICE = "The file is corrupt or not the official one: delete it to download it again."


class DatasetNotFoundError(FileNotFoundError):
    """A dataset's files are missing and could not be downloaded; the message says where to put them."""


@dataclass(frozen=True)
class IdxFile:
    """One file of a dataset: its name without `.gz`, and the known md5s of the .gz and of its content."""

    name: str
    gz_md5: str
    content_md5: str


@dataclass(frozen=True)
class IdxDataset:
    """A dataset stored as four IDX files (train/test images and labels), as MNIST is.

    `system_folders` are extra read-only places to look (such as a Linux distribution's package).
    """

    title: str
    subfolder: str
    train_images: IdxFile
    train_labels: IdxFile
    test_images: IdxFile
    test_labels: IdxFile
    mirrors: tuple[str, ...]
    system_folders: tuple[Path, ...] = ()

    def load(self, train: bool = True, root: str | os.PathLike | None = None,
             download: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """The training (or test) split as uint8 images (N, rows, cols) and uint8 labels (N,).

        Each file is checked against its known md5 the first time it is read; a parsed copy is
        cached (see cache.py) so later loads take a fraction of a second.
        """
        folder = data_folder(root) / self.subfolder
        images_file, labels_file = (
            (self.train_images, self.train_labels) if train else (self.test_images, self.test_labels)
        )
        images = self._read(images_file, IMAGES_MAGIC, folder, download)
        labels = self._read(labels_file, LABELS_MAGIC, folder, download)
        if len(images) != len(labels):
            raise IdxFormatError(
                f"{self.title}: {images_file.name} holds {len(images)} images but {labels_file.name} "
                f"holds {len(labels)} labels"
            )
        return images, labels

    def _read(self, file: IdxFile, magic: int, folder: Path, download_missing: bool) -> np.ndarray:
        path = self._find(file, folder)
        if path is None:
            if not download_missing:
                raise self._not_found_error(folder, file, "Downloading is off (download=False).")
            path = self._download(file, folder)

        def parse() -> np.ndarray:
            return parse_idx(verified_content(path, file), magic, source=str(path))

        return cached_array(path, cache_folders(folder, self.subfolder), parse)

    def _find(self, file: IdxFile, folder: Path) -> Path | None:
        for place in (folder, *self.system_folders):
            for candidate in (place / f"{file.name}.gz", place / file.name):
                if candidate.is_file():
                    return candidate
        return None

    def _download(self, file: IdxFile, folder: Path) -> Path:
        if not is_writable(folder):
            raise self._not_found_error(folder, file, f"Cannot download: {folder} is read-only.")
        folder.mkdir(parents=True, exist_ok=True)
        try:
            return download(f"{file.name}.gz", self.mirrors, folder / f"{file.name}.gz", file.gz_md5)
        except DownloadError as error:
            raise self._not_found_error(folder, file, f"Download failed: {error}") from None

    def _not_found_error(self, folder: Path, missing: IdxFile, reason: str) -> DatasetNotFoundError:
        places = " or ".join(str(place) for place in (folder, *self.system_folders))
        files = (self.train_images, self.train_labels, self.test_images, self.test_labels)
        listing = "\n".join(f"  {file.name}.gz" for file in files)
        return DatasetNotFoundError(
            f"{self.title}: {missing.name}.gz (or uncompressed, {missing.name}) is not in {places}.\n"
            f"Put these files (gzip as distributed, or uncompressed without .gz) in {folder}:\n"
            f"{listing}\n"
            f"or point ${DATA_ENV_VAR} (or root=) at a folder whose {self.subfolder}/ subfolder holds them.\n"
            f"{reason}"
        )

def data_folder(root: str | os.PathLike | None = None) -> Path:
    """The data folder: `root`, else $TINYGRAD_ACT_DATA, else ~/.cache/tinygrad_act."""
    if root is not None:
        return Path(root).expanduser()
    if os.environ.get(DATA_ENV_VAR):
        return Path(os.environ[DATA_ENV_VAR]).expanduser()
    return Path.home() / ".cache" / "tinygrad_act"


def verified_content(path: Path, file: IdxFile) -> bytes:
    """The uncompressed bytes of `path`, after checking them against `file`'s known md5s.

    A .gz passes if its own md5 is the known one, or if its content's md5 is (a re-compressed copy,
    such as Debian's, whose gzip header differs); an uncompressed file must match the content md5.
    """
    raw = path.read_bytes()
    if md5_hex(raw) == file.gz_md5:
        return decompress(raw, str(path))
    try:
        content = decompress(raw, str(path))
    except IdxFormatError as error:
        raise ChecksumError(f"{path}: checksum mismatch: {error}. {_DELETE_ADVICE}") from None
    content_md5 = md5_hex(content)
    if content_md5 != file.content_md5:
        raise ChecksumError(
            f"{path}: checksum mismatch: its content has md5 {content_md5}, expected {file.content_md5} "
            f"(or {file.gz_md5} for the .gz file). {_DELETE_ADVICE}"
        )
    return content
