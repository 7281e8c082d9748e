"""Writing results: output folders, PNGs, JSON (NaN as null)."""
import io
import json
import math
import os
from typing import Any, Union

import numpy as np

from .errors import OutputError

PathLike = Union[str, os.PathLike]


def make_dir(path: PathLike) -> None:
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{path}: cannot create the output folder ({e.strerror or e})") from e
    if not os.access(path, os.W_OK):
        raise OutputError(f"{path}: output folder is not writable")


def write_bytes(path: PathLike, data: bytes) -> None:
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError as e:
        raise OutputError(f"{path}: cannot write ({e.strerror or e})") from e


def write_text(path: PathLike, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def png_bytes(fig: Any) -> bytes:
    from . import plots
    buf = io.BytesIO()
    plots.save(fig, buf)
    return buf.getvalue()


def jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        f = float(obj)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def write_json(path: PathLike, obj: Any) -> None:
    write_text(path, json.dumps(jsonable(obj), indent=2, ensure_ascii=False) + "\n")
