"""ta.save / ta.load: checkpoints as .npz archives, written atomically and read without unpickling.

    ta.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, "ckpt.npz")
    checkpoint = ta.load("ckpt.npz")

Nested dicts, lists and tuples are flattened into one array per leaf, named by its path joined with
"/" ("model/0.weight", "optimizer/state/0/exp_avg"), so `np.load` shows a readable archive. Python
scalars are stored as 0-d arrays, and a small JSON manifest (itself a string array) records the
nesting and each leaf's kind, so `load` gives back the same structure: Tensors as Tensors, ndarrays
as ndarrays, ints as ints, int dict keys as ints, tuples as tuples.

Nothing is ever pickled: pickles run arbitrary code when loaded, so a checkpoint from elsewhere
could take over the machine. Object arrays are refused when saving, and files holding pickled data
are refused when loading.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zipfile
from typing import Any

import numpy as np

from .tensor import Tensor

SEPARATOR = "/"
_MANIFEST = "__tinygrad_act_manifest__"
_FORMAT = 1
_SCALAR_KINDS = {bool: "bool", int: "int", float: "float", str: "str"}
_RESTORE_SCALAR = {"bool": bool, "int": int, "float": float, "str": str}


def save(obj: Any, path: str | os.PathLike) -> None:
    """Write `obj` (a state_dict, or nested dicts/lists/tuples of Tensors, ndarrays, numbers, strings
    and None) to `path` as an .npz archive.

    Atomic: the archive is written to a temporary file in the same directory, flushed to disk and
    then renamed over `path`, so a crash or an error midway leaves any previous file intact.
    """
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(obj, (), arrays)
    arrays[_MANIFEST] = np.array(json.dumps({"format": _FORMAT, "tree": tree}))
    _write_atomically(os.fspath(path), arrays)


def load(path: str | os.PathLike) -> Any:
    """Read an archive written by `save` and rebuild the saved structure.

    A plain .npz without our manifest (from np.savez) loads as a dict of name -> ndarray. A file
    holding pickled data raises ValueError: loading never unpickles.
    """
    path = os.fspath(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise ValueError(f"load: {path} is not an .npz archive (saved by ta.save)")
            arrays = {name: archive[name] for name in archive.files}
    except ValueError as error:
        if "pickle" in str(error):
            raise ValueError(
                f"load: {path} holds pickled data, which ta.load never reads (unpickling can run "
                "arbitrary code); save checkpoints with ta.save, which stores plain arrays only"
            ) from None
        raise
    if _MANIFEST not in arrays:
        return arrays
    manifest = json.loads(str(arrays.pop(_MANIFEST)[()]))
    if manifest.get("format") != _FORMAT:
        raise ValueError(f"load: {path} has format {manifest.get('format')}, this version reads {_FORMAT}")
    return _decode(manifest["tree"], arrays)


def _encode(value: Any, path: tuple[str, ...], arrays: dict[str, np.ndarray]) -> Any:
    """The manifest node of `value`; its arrays are added to `arrays` under their path names."""
    if value is None:
        return None
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(f"save: dict keys must be str or int, got {key!r} at {_where(path)}")
            items.append([key, _encode(item, path + (str(key),), arrays)])
        return {"dict": items}
    if isinstance(value, (list, tuple)):
        return {type(value).__name__: [_encode(item, path + (str(i),), arrays) for i, item in enumerate(value)]}
    if isinstance(value, Tensor):
        kind, array = "tensor", value.data
    elif isinstance(value, np.ndarray):
        kind, array = "array", value
    elif isinstance(value, np.generic):
        kind, array = "numpy", np.asarray(value)
    elif type(value) in _SCALAR_KINDS:
        kind, array = _SCALAR_KINDS[type(value)], np.asarray(value)
    else:
        raise TypeError(
            f"save: cannot store a {type(value).__name__} at {_where(path)}; ta.save stores Tensors, "
            "ndarrays, numbers, strings and None, in dicts, lists and tuples (it never pickles)"
        )
    if array.dtype.hasobject:
        raise TypeError(
            f"save: the value at {_where(path)} is an object array (or an int too large for int64), "
            "which could only be stored by pickling; convert it to a numeric array"
        )
    name = SEPARATOR.join(path) or "value"
    if name in arrays or name == _MANIFEST:
        raise ValueError(f"save: two entries would both be stored as {name!r}; rename the keys that contain "
                         f"{SEPARATOR!r}")
    arrays[name] = array
    return {kind: name}


def _decode(node: Any, arrays: dict[str, np.ndarray]) -> Any:
    if node is None:
        return None
    (kind, content), = node.items()
    if kind == "dict":
        return {key: _decode(item, arrays) for key, item in content}
    if kind == "list":
        return [_decode(item, arrays) for item in content]
    if kind == "tuple":
        return tuple(_decode(item, arrays) for item in content)
    array = arrays[content]
    if kind == "tensor":
        return Tensor(array, dtype=array.dtype)
    if kind == "array":
        return array
    if kind == "numpy":
        return array[()]
    return _RESTORE_SCALAR[kind](array[()])


def _where(path: tuple[str, ...]) -> str:
    return repr(SEPARATOR.join(path)) if path else "the top level"


def _write_npz(file: Any, arrays: dict[str, np.ndarray]) -> None:
    """The .npz layout np.savez writes (one .npy per array in a zip), with pickling disallowed."""
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            with archive.open(name + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)


def _write_atomically(path: str, arrays: dict[str, np.ndarray]) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            _write_npz(file, arrays)
            file.flush()
            os.fsync(file.fileno())
        # mkstemp makes the file private (0600); give it the old file's mode, or the usual 0644.
        mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        directory_descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory_descriptor)
        finally:
            os.close(directory_descriptor)
