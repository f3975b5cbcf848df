"""The results store of a sweep: a folder of Parquet files and a manifest.

```
DIR/manifest.json          what was run: the digest of the experiment's content, factors, points
DIR/points.parquet         one row per design point: point, factor columns
DIR/tasks/pNNNNN-rNNNNN.parquet   one per finished task: point, replication, group, key, kpi, value
DIR/.lock                  locked by the sweep writing the store (see :mod:`.lock`), with its pid
```
Each file is written to a temporary name, flushed to disk and renamed into place, so a
task file is either complete or absent whatever kills the sweep; the files present are
the finished tasks. DuckDB reads the folder directly::

    SELECT p.*, t.value FROM 'DIR/tasks/*.parquet' t JOIN 'DIR/points.parquet' p USING (point)
    WHERE t."group" = 'overall' AND t.kpi = 'mean_wait'
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from simsvc.destinations import check_destinations
from simsvc.errors import ExperimentError
from simsvc.jsonsafe import dumps
from simsvc.metrics import KPI_NAMES
from simsvc.output import atomic_write

from .lock import LOCK, StoreLock
from .plan import SweepPlan, Task

__all__ = ["MANIFEST", "Store", "load"]

MANIFEST = "manifest.json"
FORMAT = 1


def _scalar(value: Any) -> Any:
    """Factor values as Parquet can hold them: numbers and strings as they are, the rest as JSON."""
    return value if isinstance(value, (int, float, str, bool)) or value is None else dumps(value)


class Store:
    """A sweep's results folder."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.tasks_dir = self.folder / "tasks"
        self._lock = StoreLock(self.folder)

    def manifest(self) -> dict[str, Any] | None:
        """The manifest, or None for a folder without one."""
        path = self.folder / MANIFEST
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ExperimentError(str(path), [("", f"unreadable manifest: {exc}")]) from None

    def open(self, plan: SweepPlan, resume: bool) -> None:
        """Lock the store, check the folder against the plan, then create it (new) or tidy it (resume).

        Nothing but the lock is written unless the checks pass, so a refused sweep leaves the
        results as they were. The lock is held until :meth:`close` or this process's end.

        Raises:
            DestinationError: the folder is a file, or may not be written.
            ExperimentError: another sweep writing to the store, resuming a different
                experiment, starting over a store that already has results, or a folder that
                is not a sweep store.
        """
        check_destinations({"out": self.folder})  # a file, or a folder this process may not write
        self._lock.check()  # before the other checks: a running sweep explains a manifest best
        self._check(plan, resume)  # before writing the lock file into a folder that is not a store
        self._lock.acquire()
        try:
            manifest = self._check(plan, resume)  # again under the lock: another sweep may have just begun
            self._create(plan, manifest)
        except BaseException:
            self.close()
            raise

    def check_free(self) -> None:
        """Refuse at once if another sweep is writing to the store (before starting a cluster, say).

        Raises:
            StoreBusyError: another sweep holds the store's lock (an :class:`ExperimentError`).
        """
        self._lock.check()

    def close(self) -> None:
        """Release the store's lock (a sweep's end, however it ends, does it too)."""
        self._lock.release()

    def _check(self, plan: SweepPlan, resume: bool) -> dict[str, Any] | None:
        """The manifest, once the folder is found fit for ``plan``."""
        manifest = self.manifest()
        where = str(self.folder / MANIFEST)
        if manifest is not None and manifest.get("digest") != plan.digest:
            raise ExperimentError(
                where,
                [("digest", f"this store holds results of a different experiment ({manifest.get('source')!r}); "
                  "the experiment, its base scenario or a file they read has changed since. "
                  "Use a new --out folder (the results here are kept).")],
            )  # fmt: skip
        if manifest is not None and not resume:
            raise ExperimentError(
                where, [("", "the store already holds this experiment's results; add --resume to finish it")]
            )
        if manifest is None and self._foreign_files():
            raise ExperimentError(str(self.folder), [("", "not empty and not a sweep store; choose another --out")])
        return manifest

    def _create(self, plan: SweepPlan, manifest: dict[str, Any] | None) -> None:
        self.tasks_dir.mkdir(parents=True, exist_ok=True)
        for stale in [*self.folder.glob(".*.tmp"), *self.tasks_dir.glob(".*.tmp")]:  # writes cut short by a kill
            stale.unlink()
        if manifest is None:
            content = {
                "format": FORMAT,
                "name": plan.experiment.name,
                "source": plan.source,
                "digest": plan.digest,
                "seed": plan.seed,
                "replications": plan.experiment.replications,
                "replications_per_task": plan.experiment.block,
                "factors": plan.factors,
                "points": plan.points,
                "tasks": len(plan.tasks),
                "experiment": plan.experiment.model_dump(mode="json"),
            }
            points = pd.DataFrame(
                [{"point": k, **{f: _scalar(v) for f, v in p.items()}} for k, p in enumerate(plan.points)]
            )
            atomic_write(self.folder / "points.parquet", lambda p: points.to_parquet(p, index=False))
            atomic_write(
                self.folder / MANIFEST,
                lambda p: p.write_text(dumps(content, indent=2, default=str), encoding="utf-8"),
            )

    def _foreign_files(self) -> bool:
        """Whether the folder holds anything but the remains of a store killed before its manifest was written."""
        if not self.folder.is_dir():
            return False
        ours = {"points.parquet", "tasks", LOCK}
        return any(p.name not in ours and not p.name.endswith(".tmp") for p in self.folder.iterdir()) or bool(
            self.tasks_dir.is_dir() and any(self.tasks_dir.glob("*.parquet"))
        )

    def path(self, task: Task) -> Path:
        return self.tasks_dir / f"{task.id}.parquet"

    def done(self) -> set[str]:
        """Ids of the finished tasks."""
        return {p.stem for p in self.tasks_dir.glob("p*-r*.parquet")}

    def write(self, task: Task, kpis: pd.DataFrame | bytes) -> Path:
        """Store one finished task's KPI rows (a table, or the table as Parquet bytes) atomically."""
        path = self.path(task)
        if isinstance(kpis, bytes):
            atomic_write(path, lambda p: p.write_bytes(kpis))
        else:
            atomic_write(path, lambda p: kpis.to_parquet(p, index=False))
        return path


def load(folder: str | Path, group: str = "overall") -> pd.DataFrame:
    """A sweep's results: one row per design point × replication (× key), factors and KPIs as columns.

    Args:
        folder: the ``--out`` folder of ``simsvc sweep``.
        group: ``"overall"`` (one row per point and replication), or ``"class"``,
            ``"interval"``, ``"day"`` (one row per point, replication and that key, in a
            column named after the group) if the experiment kept it.

    Returns:
        Columns ``point``, the factors, ``replication``, (the key,) then one column per KPI.
    """
    store = Store(folder)
    manifest = store.manifest()
    if manifest is None:
        raise ExperimentError(str(folder), [("", f"no {MANIFEST}: not a sweep store")])
    files = sorted(store.tasks_dir.glob("p*-r*.parquet"))
    # The manifest keeps the factor values as written (a mapping, None), Parquet only their JSON.
    factors = manifest["factors"]
    points = pd.DataFrame(
        {"point": range(len(manifest["points"])), **{f: [p[f] for p in manifest["points"]] for f in factors}}
    )
    if not files:
        empty = points.iloc[0:0]
        empty.attrs["factors"] = list(factors)
        return empty
    rows = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    rows = rows[rows["group"] == group]
    index = ["point", "replication"] + ([] if group == "overall" else ["key"])
    wide = rows.pivot_table(index=index, columns="kpi", values="value", sort=False, dropna=False).reset_index()
    wide.columns.name = None
    kpis = [k for k in KPI_NAMES if k in wide.columns]
    wide = wide[index + kpis]
    if group != "overall":
        wide = wide.rename(columns={"key": group})
    out = points.merge(wide, on="point", how="inner").sort_values(index[:2], kind="stable").reset_index(drop=True)
    out.attrs["factors"] = list(factors)
    return out
