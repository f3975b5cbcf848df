"""The living queue in the browser: :func:`simsvc.app.living_queue.events` as one self-contained page.

The page (``living_queue.html``, package data) is a canvas drawn with requestAnimationFrame, its
script inline and its data embedded as JSON: no network at run time. Its counters are DOM
elements with ids (``lq-arrived``, ``lq-served``, ...) and ``data-value``; the clock
(``lq-clock``) has ``data-minutes``; ``#lq`` has ``data-state`` (playing / paused / ended).
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib.resources import files
from typing import Any

from simsvc.app.living_queue import EVENT_KINDS, LivingQueue, events, living_queue
from simsvc.i18n import Lang, tr
from simsvc.result import SimResult

__all__ = ["SPEEDS", "for_run", "height", "page", "payload"]

SPEEDS = (1, 2, 5, 10, 20, 60, 120)
"""Simulated minutes per second the speed menu offers."""
DEFAULT_SPEED = 10
_LABELS = (
    "arrived", "waiting", "in_service", "served", "abandoned", "balked", "dissatisfied", "complaints", "delighted",
    "satisfied", "complaint", "faded", "play", "pause", "to_end", "speed", "per_second", "queue", "busy", "left",
    "lanes",
)  # fmt: skip


def _time(x: float) -> float | None:
    return None if math.isnan(x) or math.isinf(x) else round(float(x), 2)


def payload(q: LivingQueue, lang: Lang = "en") -> dict[str, Any]:
    """The page's data: lanes, customers and visits (columns), the event list and the texts in ``lang``.

    Times are minutes since 00:00 of day 1 to 0.01 (None: never, as a visit not served).
    """
    c, v = q.customers, q.visits
    kind = {k: i for i, k in enumerate(EVENT_KINDS)}
    return {
        "t0": round(q.t0, 2), "t1": round(q.t1, 2), "day": q.day, "hour": q.hour,
        "stations": list(q.stations), "servers": list(q.servers), "desks": q.desks, "classes": list(q.classes),
        "quality": bool(q.desks), "kinds": list(EVENT_KINDS), "speeds": list(SPEEDS), "speed": DEFAULT_SPEED,
        "customers": {
            "klass": c["klass"].tolist(), "arrival": [_time(x) for x in c["arrival"]],
            "leave": [_time(x) for x in c["leave"]], "outcome": c["outcome"].tolist(),
            "category": c["category"].tolist(), "counted": [int(x) for x in c["counted"]],
        },
        "visits": {
            "row": v["row"].tolist(), "station": v["station"].tolist(), "join": [_time(x) for x in v["join"]],
            "start": [_time(x) for x in v["start"]], "end": [_time(x) for x in v["end"]],
            "leave": [_time(x) for x in v["leave"]], "slot": v["slot"].tolist(), "desk": [int(x) for x in v["desk"]],
        },
        "events": [[round(t, 2), kind[k], row, station] for t, k, row, station, _ in events(q)],
        "labels": {name: tr(f"lq.{name}", lang) for name in _LABELS},
    }  # fmt: skip


@cache
def _template() -> str:
    return files("simsvc.app").joinpath("living_queue.html").read_text(encoding="utf-8")


def page(q: LivingQueue, lang: Lang = "en") -> str:
    """The animation as one HTML page (for ``streamlit.components.v1.html`` or a file)."""
    data = json.dumps(payload(q, lang), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    data = data.replace("</", "<\\/")  # no "</script>" inside the script
    return _template().replace("/*LIVING_QUEUE_DATA*/null", data)


def height(q: LivingQueue) -> int:
    """The page's height in pixels: controls, counters and legend around one lane per station."""
    return 22 + 62 * len(q.stations) + 8 + 125


def for_run(result: SimResult, replication: int, day: int, hour: int | None, lang: Lang = "en") -> tuple[str, int]:
    """The page and its height for one replication's day (or hour) of a run (see :func:`living_queue`)."""
    q = living_queue(result, replication, day, hour)
    return page(q, lang), height(q)
