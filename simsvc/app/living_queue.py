"""The living queue: one replication's customers in a day (or an hour), as a timed list of events.

Built only from the run's own records (:attr:`simsvc.SimResult.customers`, ``.steps`` and
``.complaints``): who arrived when, joined which station's queue, started and ended service
there, and left served, abandoned or balked, satisfied or not; who complained and when the
complaint desk took it. No second model. :func:`living_queue` picks the window,
:func:`events` lists what happens in it, :func:`counts` tallies them, and
:func:`simsvc.app.living_queue_view.page` draws them in the browser.

The window's *cohort* is the customers who arrived in it after the warm-up: the ones the run's
KPIs of that day (or those intervals) count. Customers of other windows still there (or
arriving before the cohort has left) are shown as well, faded, since they take servers and
queue places, but are counted in no total.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simsvc.result import SimResult

__all__ = ["EVENT_KINDS", "Event", "LivingQueue", "counts", "events", "hours", "living_queue"]

EVENT_KINDS = ("arrive", "join", "start", "end", "leave", "complain", "desk_start", "desk_end")
"""What can happen to a customer, in the order it happens (the visit's three repeated per step)."""
OUTCOMES = ("served", "abandoned", "balked")
CATEGORIES = ("delighted", "satisfied", "dissatisfied")

Event = tuple[float, str, int, int, str]
"""``(minute, kind, customer, station, detail)``: ``customer`` a row of
:attr:`LivingQueue.customers`, ``station`` a lane (-1: none), ``detail`` the outcome of a
``leave`` (``served``/``abandoned``/``balked``, then ``:`` and the category with the quality model)."""


@dataclass(frozen=True)
class LivingQueue:
    """The customers and visits of one window of one replication.

    Attributes:
        replication, day: the replication (0 = first) and day (1 = first) shown.
        hour: the clock hour shown (9 = 09:00-10:00), or None for the whole day.
        start, stop: the window (minutes since 00:00 of day 1): the day's opening hours, or the
            hour within them. Its cohort: who arrived in it (for a day, on that date) after the warm-up.
        t0, t1: what the animation covers: from the window's start until the cohort has left
            (and filed its complaints).
        stations: lane names: the front-line teams, then the complaint teams (with the quality
            model; "complaints" alone when no team handles them).
        desks: how many of the last lanes are complaint lanes.
        servers: per lane, the most visits in service at once (the server slots drawn).
        classes: customer class names.
        customers: one row per customer shown: ``customer`` (id), ``klass`` (code), ``arrival``,
            ``leave``, ``outcome`` and ``category`` (codes into :data:`OUTCOMES`,
            :data:`CATEGORIES`; -1 none), ``complained``, ``filed``, ``counted`` (in the cohort).
        visits: one row per visit to a lane: ``row`` (customer row), ``station``, ``join``,
            ``start``/``end`` (NaN: not served), ``leave`` (inf: still there at the end),
            ``outcome`` (code; -1 for a complaint), ``slot`` (server slot, -1 none), ``desk``
            (a complaint at a complaint lane).
    """

    replication: int
    day: int
    hour: int | None
    start: float
    stop: float
    t0: float
    t1: float
    stations: tuple[str, ...]
    desks: int
    servers: tuple[int, ...]
    classes: tuple[str, ...]
    customers: pd.DataFrame
    visits: pd.DataFrame


def hours(result: SimResult) -> list[int]:
    """The clock hours the scenario is open (each a possible window), e.g. ``[9, 10, 11]``."""
    h = result.scenario.horizon
    return list(range(int(h.open_minute // 60), math.ceil(h.close_minute / 60)))


def _window(result: SimResult, day: int, hour: int | None) -> tuple[float, float]:
    """The minutes of the day's opening hours, or of one clock hour within them."""
    h = result.scenario.horizon
    if not 1 <= day <= h.days:
        raise ValueError(f"day(={day}) must be between 1 and {h.days}")
    if hour is not None and hour not in hours(result):
        raise ValueError(f"hour(={hour}) must be one of the open hours {hours(result)}")
    low, high = (h.open_minute, h.close_minute) if hour is None else (hour * 60.0, hour * 60.0 + 60)
    base = (day - 1) * 1440.0
    return base + max(low, h.open_minute), base + min(high, h.close_minute)


def _codes(values: pd.Series, names: tuple[str, ...] | list[str]) -> np.ndarray:
    lookup = {n: i for i, n in enumerate(names)}
    return np.array([lookup.get(v, -1) if isinstance(v, str) else -1 for v in values], dtype=np.int64)


def _step_visits(result: SimResult, replication: int) -> pd.DataFrame:
    """The replication's step visits with their lane and leaving time."""
    s = result.scenario
    steps = result.steps[result.steps["replication"] == replication]
    teams = [t.name for t in s.teams]
    # A visit not served (abandoned, balked) stood in its step's queue: the step's first station.
    first = {
        (j_class, st.name): st.stations[0]
        for j_class, j in zip((c.name for c in s.customer_classes), s.journeys, strict=True)
        for st in j.steps
    }
    team = _codes(steps["team"].astype(object), teams)
    fallback = np.array([first[(str(k), str(n))] for k, n in zip(steps["class"], steps["step"], strict=True)],
                        dtype=np.int64)  # fmt: skip
    outcome = _codes(steps["outcome"].astype(object), OUTCOMES)
    join = steps["arrival"].to_numpy(float)
    leave = np.where(outcome == 0, steps["end"].to_numpy(float),
                     np.where(outcome == 1, join + np.nan_to_num(steps["wait"].to_numpy(float)), join))  # fmt: skip
    return pd.DataFrame({
        "customer": steps["customer"].to_numpy(np.int64), "visit": steps["visit"].to_numpy(np.int64),
        "station": np.where(team >= 0, team, fallback), "join": join, "start": steps["start"].to_numpy(float),
        "end": steps["end"].to_numpy(float), "leave": leave, "outcome": outcome, "desk": False,
    })  # fmt: skip


def _desk_visits(result: SimResult, replication: int, lanes: int) -> pd.DataFrame:
    """The replication's complaints as visits to the complaint lanes (after the front-line ones)."""
    s = result.scenario
    c = result.complaints
    c = c[c["replication"] == replication]
    desks = [t.name for t in s.complaints.teams]
    team = _codes(c["team"].astype(object), desks)
    end = c["end"].to_numpy(float)
    return pd.DataFrame({
        "customer": c["customer"].to_numpy(np.int64), "visit": -1, "station": lanes + np.maximum(team, 0),
        "join": c["filed"].to_numpy(float), "start": c["start"].to_numpy(float), "end": end,
        "leave": np.where(np.isnan(end), math.inf, end), "outcome": -1, "desk": True,
    })  # fmt: skip


def _slots(visits: pd.DataFrame, lanes: int) -> tuple[np.ndarray, list[int]]:
    """A server slot for each visit in service, none shared by two at once (lowest free first)."""
    slot = np.full(len(visits), -1, dtype=np.int64)
    servers = [0] * lanes
    start, end, station = (visits[c].to_numpy() for c in ("start", "end", "station"))
    busy: list[list[tuple[float, int]]] = [[] for _ in range(lanes)]
    free: list[list[int]] = [[] for _ in range(lanes)]
    for i in np.argsort(start, kind="stable"):
        if np.isnan(start[i]):
            continue
        k = int(station[i])
        while busy[k] and busy[k][0][0] <= start[i]:
            heapq.heappush(free[k], heapq.heappop(busy[k])[1])
        if free[k]:
            slot[i] = heapq.heappop(free[k])
        else:
            slot[i], servers[k] = servers[k], servers[k] + 1
        heapq.heappush(busy[k], (end[i] if not np.isnan(end[i]) else math.inf, int(slot[i])))
    return slot, servers


def living_queue(result: SimResult, replication: int = 0, day: int = 1, hour: int | None = None) -> LivingQueue:
    """The customers of one replication's day (or clock hour) and every visit they make.

    Args:
        result: a run that kept its records (``keep_records=True``).
        replication: which replication (0 = first).
        day: which day (1 = first).
        hour: a clock hour the scenario is open (see :func:`hours`), or None for the whole day.

    Raises:
        ValueError: no records, or a replication, day or hour the run does not have.
    """
    if not result.has_records:
        raise ValueError("the living queue needs the run's records (keep_records=True)")
    if not 0 <= replication < result.replications:
        raise ValueError(f"replication(={replication}) must be between 0 and {result.replications - 1}")
    s = result.scenario
    start, stop = _window(result, day, hour)
    front = [t.name for t in s.teams]
    desks = ([t.name for t in s.complaints.teams] or ["complaints"]) if s.quality.enabled else []
    stations = front + desks
    people = result.customers[result.customers["replication"] == replication]
    parts = [_step_visits(result, replication)]
    if s.quality.enabled:
        parts.append(_desk_visits(result, replication, len(front)))
    visits = pd.concat(parts, ignore_index=True)
    ids = people["customer"].to_numpy(np.int64)
    arrival = people["arrival"].to_numpy(float)
    # A day's cohort is every arrival of that date (a replayed trace may start before opening).
    low, high = ((day - 1) * 1440.0, day * 1440.0) if hour is None else (start, stop)
    cohort = (arrival >= low) & (arrival < high) & (arrival >= s.horizon.open_minute + s.simulation.warmup_minutes)
    last = visits[~visits["desk"]].groupby("customer")["leave"].max().reindex(ids).to_numpy()
    filed = visits[visits["desk"]].set_index("customer")["join"].reindex(ids).to_numpy()
    ends = np.concatenate([last[cohort], filed[cohort][~np.isnan(filed[cohort])]])
    t0 = min(start, float(arrival[cohort].min())) if cohort.any() else start
    t1 = max(float(ends.max()) if len(ends) else stop, t0)
    shown = visits[(visits["join"] <= t1) & (visits["leave"] >= t0)]
    keep = np.isin(ids, shown["customer"].to_numpy()) | cohort
    row_of = pd.Series(np.arange(int(keep.sum())), index=ids[keep])
    quality = s.quality.enabled
    classes = tuple(c.name for c in s.customer_classes)
    customers = pd.DataFrame({
        "customer": ids[keep], "klass": _codes(people["class"].astype(object), classes)[keep],
        "arrival": arrival[keep], "leave": last[keep],
        "outcome": _codes(people["outcome"].astype(object), OUTCOMES)[keep],
        "category": _codes(people["category"].astype(object), CATEGORIES)[keep] if quality else -1,
        "complained": people["complained"].to_numpy(bool)[keep] if quality else False,
        "filed": filed[keep], "counted": cohort[keep],
    })  # fmt: skip
    shown = shown[shown["customer"].isin(row_of.index)].sort_values(["join", "customer", "visit"], kind="stable")
    shown = shown.reset_index(drop=True)
    shown.insert(0, "row", row_of.reindex(shown["customer"]).to_numpy())
    slot, servers = _slots(shown, len(stations))
    shown["slot"] = slot
    return LivingQueue(
        replication=replication, day=day, hour=hour, start=start, stop=stop, t0=t0, t1=t1, stations=tuple(stations),
        desks=len(desks), servers=tuple(servers), classes=classes, customers=customers,
        visits=shown.drop(columns=["customer", "visit"]),
    )  # fmt: skip


def _detail(outcome: int, category: int) -> str:
    if outcome < 0:
        return ""
    return OUTCOMES[outcome] + (f":{CATEGORIES[category]}" if category >= 0 else "")


def events(q: LivingQueue) -> list[Event]:
    """Everything that happens to the customers shown, in time order.

    Per customer: ``arrive``; per visit to a station ``join``, then ``start`` and ``end`` if
    served there; ``leave`` at the end of its last visit (detail: outcome and category);
    ``complain`` when it files a complaint, and ``desk_start``/``desk_end`` when a complaint
    lane handles it. Events of one instant keep each customer's own order (its step ends before
    it joins the next one, a zero-minute service starts before it ends). Events outside
    ``[t0, t1]`` are left out.
    """
    c, v = q.customers, q.visits
    by_row: list[list[Event]] = [[] for _ in range(len(c))]
    for row, arrival in enumerate(c["arrival"]):
        by_row[row].append((float(arrival), "arrive", row, -1, ""))
    desk_visits: list[Event] = []
    for row, station, join, start, end, desk in zip(
        v["row"], v["station"], v["join"], v["start"], v["end"], v["desk"], strict=True
    ):
        row, station = int(row), int(station)
        mine = desk_visits if desk else by_row[row]
        if not desk:
            mine.append((float(join), "join", row, station, ""))
        if not math.isnan(start):
            mine.append((float(start), "desk_start" if desk else "start", row, station, ""))
            mine.append((float(end), "desk_end" if desk else "end", row, station, ""))
    for row, (leave, outcome, category, filed) in enumerate(
        zip(c["leave"], c["outcome"], c["category"], c["filed"], strict=True)
    ):
        by_row[row].append((float(leave), "leave", row, -1, _detail(int(outcome), int(category))))
        if not math.isnan(filed):
            by_row[row].append((float(filed), "complain", row, -1, ""))
    for e in desk_visits:  # a complaint is handled after it is filed
        by_row[e[2]].append(e)
    keyed = [(e[0], row, seq, e) for row, mine in enumerate(by_row) for seq, e in enumerate(mine)]
    keyed.sort(key=lambda k: k[:3])
    return [e for t, _, _, e in keyed if q.t0 <= t <= q.t1]


def counts(q: LivingQueue, until: float = math.inf) -> dict[str, int]:
    """The cohort's totals by ``until`` from :func:`events`: what the animation's counters show.

    ``arrived``, ``served``, ``abandoned``, ``balked``, ``dissatisfied`` (left dissatisfied,
    before any complaint handling) and ``complaints`` (filed).
    """
    counted = q.customers["counted"].to_numpy(bool)
    out = dict.fromkeys(("arrived", "served", "abandoned", "balked", "dissatisfied", "complaints"), 0)
    for t, kind, row, _station, detail in events(q):
        if t > until or not counted[row]:
            continue
        if kind == "arrive":
            out["arrived"] += 1
        elif kind == "complain":
            out["complaints"] += 1
        elif kind == "leave":
            outcome, _, category = detail.partition(":")
            out[outcome] += 1
            out["dissatisfied"] += category == "dissatisfied"
    return out
