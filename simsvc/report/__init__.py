"""The self-contained HTML report of a run's or an optimization's output folder.

Rendered with Jinja2 (autoescaping on): the page's layout lives in one readable template,
``templates/report.html.j2``, and every value put into it is escaped, so scenario names and
descriptions written by users cannot break the page. Figures are embedded as base64 PNG;
the file needs nothing but itself.
"""

from __future__ import annotations

from pathlib import Path

from simsvc.i18n import Lang, check_lang, tr
from simsvc.report.folders import ReportError, read_folder

__all__ = ["ReportError", "build_report", "write_report"]


def build_report(folder: Path, lang: Lang = "en") -> str:
    """The HTML text of the report of ``folder`` (a run's or an optimization's output).

    Raises:
        ReportError: the folder is missing or is neither kind.
    """
    import jinja2

    from simsvc.report.content import optimization_content, run_content

    check_lang(lang)
    data = read_folder(Path(folder))
    content = run_content(data, lang) if data.kind == "run" else optimization_content(data, lang)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("simsvc.report", "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    template = env.get_template("report.html.j2")
    return template.render(c=content, lang=lang, folder=str(folder), t=lambda key, **kw: tr(key, lang, **kw))


def write_report(folder: Path, out: Path | None = None, lang: Lang = "en") -> Path:
    """Write the report of ``folder`` to ``out`` (default ``folder/report[.zh].html``) atomically."""
    from simsvc.output import atomic_write

    html = build_report(folder, lang)
    out = Path(out) if out is not None else Path(folder) / ("report.html" if lang == "en" else f"report.{lang}.html")
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, lambda p: p.write_text(html, encoding="utf-8"))
    return out
