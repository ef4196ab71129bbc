"""ta.save / ta.load: checkpoints as .npz archives or safetensors files, written atomically and read
without unpickling.

    ta.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, "ckpt.npz")
    checkpoint = ta.load("ckpt.npz")
    ta.save(model.state_dict(), "model.safetensors")  # readable by safetensors.torch.load_file

A path ending in .safetensors is written in the safetensors format (see safetensors_format.py):
its tensors are named by their path joined with "." ("model.0.weight"; a state_dict saved alone
keeps PyTorch's names, "0.weight"), and everything else (numbers, strings, None, the nesting) is a
JSON tree in the header's metadata under "tinygrad_act". `load` recognises either format by its
content, whatever the file is called; a safetensors file written elsewhere (safetensors.torch.save_file)
loads as a dict of name -> ndarray, ready for `model.load_state_dict`.

Nested dicts, lists and tuples are flattened into one array per leaf, named by its path joined with
"/" ("model/0.weight", "optimizer/state/0/exp_avg"), so `np.load` shows a readable archive. Python
scalars are stored as 0-d arrays, and a small JSON manifest (itself a string array) records the
nesting and each leaf's kind, so `load` gives back the same structure: Tensors as Tensors, ndarrays
as ndarrays (a 0-d one stays a 0-d array), ints as ints, int dict keys as ints, tuples as tuples.

Nothing is ever pickled: pickles run arbitrary code when loaded, so a checkpoint from elsewhere
could take over the machine. Object arrays are refused when saving, and files holding pickled data
are refused when loading.

Damage is detected, never loaded as something else: the zip format keeps a CRC-32 of every array
(and of the manifest), the manifest must name exactly the arrays the archive holds, and the zip
comment marks the file as a ta.save checkpoint, so an archive whose manifest has gone missing is
an error rather than a plain .npz. Every file `load` cannot read raises CheckpointError (a
ValueError) naming the path and what is wrong.
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from typing import Any, BinaryIO

import numpy as np

from . import safetensors_format
from .device import check_device
from .files import atomic_write, remove_stale_temporaries
from .tensor import Tensor

SEPARATOR = "/"
SAFETENSORS_SEPARATOR = "."
SAFETENSORS_SUFFIX = ".safetensors"
_SAFETENSORS_METADATA_KEY = "tinygrad_act"
_MANIFEST = "__tinygrad_act_manifest__"
_FORMAT = 1
# Written as the zip comment: an archive carrying it must hold a manifest.
_CHECKPOINT_MARK = b"tinygrad_act checkpoint (ta.save)"
_SCALAR_KINDS = {bool: "bool", int: "int", float: "float", str: "str"}
_RESTORE_SCALAR = {"bool": bool, "int": int, "float": float, "str": str}
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_NPY_MAGIC = b"\x93NUMPY"
# Everything the zip and .npy readers raise for a damaged or truncated archive.
_DAMAGE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
                  ValueError, KeyError)


class CheckpointError(ValueError):
    """A file `ta.load` cannot read as a checkpoint: not an .npz archive, damaged or truncated, or
    holding pickled data. The message names the file and what is wrong."""


def save(obj: Any, path: str | os.PathLike) -> None:
    """Write `obj` (a state_dict, or nested dicts/lists/tuples of Tensors, ndarrays, numbers, strings
    and None) to `path` as an .npz archive, or in the safetensors format if `path` ends in .safetensors.

    Atomic: the archive is written to a temporary file `.<name>.<random>.tmp` in the same folder,
    flushed to disk and then renamed over `path`, so a crash or an error midway leaves any previous
    file intact, and a failed save removes its temporary file. A save killed outright (SIGKILL,
    power loss) cannot clean up: the next save of the same path removes such leftovers. The folder
    must exist (as in torch.save): a missing one raises FileNotFoundError naming it.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save: cannot write {path}: the folder {folder} does not exist")
    arrays: dict[str, np.ndarray] = {}
    if path.lower().endswith(SAFETENSORS_SUFFIX):
        tree = _encode(obj, (), arrays, SAFETENSORS_SEPARATOR, inline_scalars=True)
        metadata = {_SAFETENSORS_METADATA_KEY: json.dumps({"format": _FORMAT, "tree": tree})}
        _check_safetensors_dtypes(arrays)
        remove_stale_temporaries(path)
        with atomic_write(path) as file:
            safetensors_format.write(file, arrays, metadata)
        return
    tree = _encode(obj, (), arrays, SEPARATOR)
    arrays[_MANIFEST] = np.array(json.dumps({"format": _FORMAT, "tree": tree}))
    remove_stale_temporaries(path)
    with atomic_write(path) as file:
        _write_npz(file, arrays)


def load(path: str | os.PathLike, map_location: Any = None, weights_only: bool | None = None) -> Any:
    """Read a file written by `save` (an .npz archive or a safetensors file, told apart by their
    content) and rebuild the saved structure.

    A plain .npz without our manifest (from np.savez), or a safetensors file without our metadata
    (from safetensors.torch.save_file), loads as a dict of name -> ndarray. Any file that is neither
    (a .npy, a pickle, text, an empty, truncated or damaged file) raises CheckpointError saying what
    it is; pickled data is never unpickled.

    `map_location` and `weights_only` are accepted for PyTorch's sake: `map_location` may name the
    CPU (None, "cpu", ta.device("cpu"), or a dict mapping devices to the CPU), the only device;
    `weights_only` changes nothing, since loading never unpickles (it always behaves as True).
    """
    _check_map_location(map_location)
    path = os.fspath(path)
    with open(path, "rb") as file:
        start = file.read(16)
        file.seek(0)
        if safetensors_format.looks_like_safetensors(start):
            return _load_safetensors(file.read(), path)
        _check_is_zip(start, path)
        arrays, has_mark = _read_arrays(file, path)
    if _MANIFEST not in arrays:
        if has_mark:
            raise CheckpointError(
                f"load: {path} is damaged: it was written by ta.save but its manifest "
                f"({_MANIFEST}.npy) is missing from the archive, so its structure cannot be restored"
            )
        return arrays
    try:
        manifest = json.loads(str(arrays.pop(_MANIFEST)[()]))
    except (ValueError, TypeError) as error:
        raise CheckpointError(f"load: {path} is damaged: its manifest is unreadable ({error})") from None
    return _restore(manifest, arrays, path)


def _load_safetensors(content: bytes, path: str) -> Any:
    """The structure a safetensors file holds: ours, rebuilt from its metadata tree; anyone else's,
    as a dict of name -> ndarray."""
    try:
        arrays, metadata = safetensors_format.read(content)
    except safetensors_format.SafetensorsFormatError as error:
        raise CheckpointError(f"load: {path} is a damaged or truncated safetensors file: {error}") from None
    if _SAFETENSORS_METADATA_KEY not in metadata:
        return arrays
    try:
        manifest = json.loads(metadata[_SAFETENSORS_METADATA_KEY])
    except ValueError as error:
        raise CheckpointError(f"load: {path} is damaged: its {_SAFETENSORS_METADATA_KEY} metadata is unreadable "
                              f"({error})") from None
    return _restore(manifest, arrays, path)


def _check_safetensors_dtypes(arrays: dict[str, np.ndarray]) -> None:
    for name, array in arrays.items():
        if safetensors_format.dtype_name(array.dtype) is None:
            raise TypeError(
                f"save: the value at {name!r} has dtype {array.dtype}, which the safetensors format cannot hold "
                "(it holds bool, integers and float16/32/64); convert it, or save to an .npz file"
            )


def _check_map_location(map_location: Any) -> None:
    """Accept a map_location that sends everything to the CPU; raise the device error otherwise."""
    targets = map_location.values() if isinstance(map_location, dict) else [map_location]
    for target in targets:
        if target is None:
            continue
        try:
            check_device(target)
        except (RuntimeError, TypeError) as error:
            raise type(error)(f"load: map_location={map_location!r}: {error}") from None


def _check_is_zip(start: bytes, path: str) -> None:
    """Raise CheckpointError saying what the file is, unless its first bytes `start` are a zip archive's."""
    if start.startswith(_ZIP_MAGICS):
        return
    if not start:
        raise CheckpointError(f"load: {path} is empty (0 bytes), not a checkpoint")
    if start.startswith(_NPY_MAGIC):
        raise CheckpointError(
            f"load: {path} is a single .npy array, not a checkpoint archive (.npz); read it with "
            "np.load(path), or save checkpoints with ta.save"
        )
    if start[0] == 0x80 and 2 <= start[1] <= 5:  # the PROTO opcode that starts every modern pickle
        raise CheckpointError(_pickle_message(path))
    raise CheckpointError(
        f"load: {path} is not a checkpoint: ta.load reads .npz (zip) archives and safetensors files, "
        f"but this file starts with {start!r}"
    )


def _pickle_message(path: str, member: str = "") -> str:
    where = f" (in {member})" if member else ""
    return (
        f"load: {path} holds pickled data{where}, which ta.load never reads (unpickling can run "
        "arbitrary code); save checkpoints with ta.save, which stores plain arrays only"
    )


def _read_arrays(file: BinaryIO, path: str) -> tuple[dict[str, np.ndarray], bool]:
    """Every array of the .npz archive in `file`, by name, and whether the archive carries the
    ta.save checkpoint mark; CheckpointError if any array cannot be read."""
    try:
        with np.load(file, allow_pickle=False) as archive:
            for member in archive.zip.namelist():
                _check_member_is_an_array(member, path)
            arrays = {name: archive[name] for name in archive.files}
            return arrays, archive.zip.comment == _CHECKPOINT_MARK
    except CheckpointError:
        raise
    except _DAMAGE_ERRORS as error:
        if isinstance(error, ValueError) and "pickle" in str(error):
            raise CheckpointError(_pickle_message(path)) from None
        raise CheckpointError(
            f"load: {path} is damaged or truncated: it cannot be read as an .npz archive "
            f"({type(error).__name__}: {error})"
        ) from None


def _check_member_is_an_array(member: str, path: str) -> None:
    """An .npz holds only .npy files; anything else (torch.save's data.pkl, ...) is refused."""
    if member.endswith(".npy"):
        return
    if member.endswith((".pkl", ".pickle")):
        raise CheckpointError(_pickle_message(path, member))
    raise CheckpointError(
        f"load: {path} is a zip archive but not an .npz of arrays: it holds {member!r}, which is "
        "not a .npy file"
    )


def _restore(manifest: Any, arrays: dict[str, np.ndarray], path: str) -> Any:
    """The structure `manifest` describes, checking it names exactly the `arrays` the file holds."""
    try:
        version = manifest["format"]
    except (TypeError, KeyError) as error:
        raise CheckpointError(f"load: {path} is damaged: its manifest is unreadable ({error!r})") from None
    if version != _FORMAT:
        raise CheckpointError(f"load: {path} has format {version}, this version reads {_FORMAT}")
    used: set[str] = set()
    try:
        restored = _decode(manifest["tree"], arrays, used)
    except CheckpointError as error:
        raise CheckpointError(f"load: {path} is damaged: {error}") from None
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise CheckpointError(f"load: {path} is damaged: its manifest is malformed ({error!r})") from None
    unlisted = sorted(set(arrays) - used)
    if unlisted:
        raise CheckpointError(
            f"load: {path} is damaged: it holds arrays its manifest does not list: {', '.join(unlisted)}"
        )
    return restored


def _encode(value: Any, path: tuple[str, ...], arrays: dict[str, np.ndarray], separator: str,
            inline_scalars: bool = False) -> Any:
    """The manifest node of `value`; its arrays are added to `arrays` under their path names joined
    by `separator`. With `inline_scalars`, Python numbers and strings are written into the manifest
    itself ({"value": 3}) rather than stored as 0-d arrays."""
    if value is None:
        return None
    if inline_scalars and type(value) in _SCALAR_KINDS:
        return {"value": value}
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(f"save: dict keys must be str or int, got {key!r} at {_where(path, separator)}")
            items.append([key, _encode(item, path + (str(key),), arrays, separator, inline_scalars)])
        return {"dict": items}
    if isinstance(value, (list, tuple)):
        return {type(value).__name__: [_encode(item, path + (str(i),), arrays, separator, inline_scalars)
                                       for i, item in enumerate(value)]}
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
            f"save: cannot store a {type(value).__name__} at {_where(path, separator)}; ta.save stores Tensors, "
            "ndarrays, numbers, strings and None, in dicts, lists and tuples (it never pickles)"
        )
    if array.dtype.hasobject:
        raise TypeError(
            f"save: the value at {_where(path, separator)} is an object array (or an int too large for int64), "
            "which could only be stored by pickling; convert it to a numeric array"
        )
    name = separator.join(path) or "value"
    if name in arrays or name in (_MANIFEST, safetensors_format.METADATA_KEY):
        raise ValueError(f"save: two entries would both be stored as {name!r}; rename the keys that contain "
                         f"{separator!r}")
    arrays[name] = array
    return {kind: name}


def _decode(node: Any, arrays: dict[str, np.ndarray], used: set[str]) -> Any:
    """The value of manifest node `node`, adding the names of the arrays it takes to `used`."""
    if node is None:
        return None
    (kind, content), = node.items()
    if kind == "dict":
        return {key: _decode(item, arrays, used) for key, item in content}
    if kind == "list":
        return [_decode(item, arrays, used) for item in content]
    if kind == "tuple":
        return tuple(_decode(item, arrays, used) for item in content)
    if kind == "value":
        return content
    if content not in arrays:
        raise CheckpointError(f"its manifest names the array {content!r}, which the archive does not hold")
    used.add(content)
    array = arrays[content]
    if kind == "tensor":
        return Tensor(array, dtype=array.dtype)
    if kind == "array":
        return array
    if kind == "numpy":
        return array[()]
    if kind not in _RESTORE_SCALAR:
        raise CheckpointError(f"its manifest gives {content!r} the unknown kind {kind!r}")
    return _RESTORE_SCALAR[kind](array[()])


def _where(path: tuple[str, ...], separator: str) -> str:
    return repr(separator.join(path)) if path else "the top level"


def _write_npz(file: Any, arrays: dict[str, np.ndarray]) -> None:
    """The .npz layout np.savez writes (one .npy per array in a zip), with pickling disallowed, and
    the zip comment that marks a ta.save checkpoint."""
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.comment = _CHECKPOINT_MARK
        for name, array in arrays.items():
            with archive.open(name + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)
