"""Saving matplotlib figures, the one way every plot in the package does it."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def save_figure(figure: Any, path: str | Path) -> Path:
    """Write `figure` to `path` (format from the extension: .png, .svg, .pdf), creating missing folders."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    return path
