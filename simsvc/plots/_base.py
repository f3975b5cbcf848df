"""What every figure shares: the Agg canvas, the CJK font, the language check and PNG output.

Figures are built on :class:`matplotlib.figure.Figure` with an Agg canvas, never through
``pyplot``: no global figure registry, no GUI backend, safe in a web server's threads.
Chinese text is set in Noto Sans SC, shipped by the ``pylopdf-fonts-zh-cn`` dependency and
registered with matplotlib's font manager on first use (falling back to a system Noto/Source
Han CJK font), so ``pip install -e .`` is all a zh figure needs.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from simsvc.i18n import check_lang

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["ci_error", "cjk_family", "figure_function", "font_context", "new_figure", "png_bytes", "save_png"]

_SYSTEM_CJK = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei")
_LATIN = "DejaVu Sans"
F = TypeVar("F", bound=Callable[..., Any])


@functools.cache
def cjk_family() -> str | None:
    """Register the bundled Simplified Chinese font with matplotlib; return its family name.

    None only if neither the bundled font nor a known system CJK font is available.
    """
    from matplotlib import font_manager

    try:
        from pylopdf_fonts_zh_cn import sans_path
    except ImportError:  # pragma: no cover - the package is a dependency
        path = None
    else:
        path = sans_path()
    if path is not None and Path(path).is_file():
        font_manager.fontManager.addfont(str(path))
        return font_manager.FontProperties(fname=str(path)).get_name()
    names = {f.name for f in font_manager.fontManager.ttflist}  # pragma: no cover
    return next((n for n in _SYSTEM_CJK if n in names), None)  # pragma: no cover


@contextmanager
def font_context(lang: str) -> Iterator[None]:
    """Matplotlib settings for ``lang``: Chinese first for zh, Latin with a CJK fallback for en."""
    import matplotlib

    cjk = cjk_family()
    families = [_LATIN] if cjk is None else ([cjk, _LATIN] if lang == "zh" else [_LATIN, cjk])
    with matplotlib.rc_context({"font.family": families, "axes.unicode_minus": False, "svg.fonttype": "path"}):
        yield


def new_figure(width: float = 7.0, height: float = 4.0) -> Figure:
    """A constrained-layout figure on its own Agg canvas (no pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def figure_function(fn: F) -> F:
    """Decorate a figure builder: check ``lang`` and build inside its font context.

    Text artists take their font when created, so a figure built here renders its Chinese
    labels wherever it is saved later (numeric tick labels created at drawing time need none).
    """

    @functools.wraps(fn)
    def build(*args: Any, lang: str = "en", **kwargs: Any) -> Figure:
        check_lang(lang)
        with font_context(lang):
            return fn(*args, lang=lang, **kwargs)

    return build  # type: ignore[return-value]


def ci_error(rows: pd.DataFrame) -> np.ndarray:
    """Error-bar lengths (2 × n, below and above) from ``mean``, ``ci_low``, ``ci_high`` columns; NaN → 0."""
    mean = rows["mean"].to_numpy(float)
    below, above = mean - rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float) - mean
    return np.nan_to_num(np.abs(np.vstack([below, above])))


def png_bytes(fig: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def save_png(fig: Figure, path: Path, dpi: int = 100) -> Path:
    """Write the figure to ``path`` as PNG atomically; return the path."""
    from simsvc.output import atomic_write

    data = png_bytes(fig, dpi)
    atomic_write(path, lambda p: p.write_bytes(data))
    return path
