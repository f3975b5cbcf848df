"""The compiled kernel (issue 18) against the SimPy engine and an idiomatic SimPy model.

Run: ``python -m benchmarks.kernel`` (about a minute and a half; ``--customers`` to change the
kernel's run). Figures are CPU seconds of this process (``time.process_time``), so a busy
machine slows every model alike; each is a throughput (customers per second), so runs of
different lengths compare:

* **M/M/10 at load 0.95** (λ = 9.5/min, μ = 1/min): the kernel on 10^7 customers, simsvc's
  SimPy engine on 10^6, the minimal SimPy model (process per customer + Resource,
  ``benchmarks/minimal_simpy.py``) on 2·10^5. Targets: kernel ≥ 10× the SimPy engine, ≥ 25× the
  minimal model, ≥ 1 M customers/s.
* **An unfavourable case**: M/M/10 at load 1.3 with patience mean 3 min (overloaded: about a
  quarter abandon, deadlines churn), 10^6 customers on the kernel and on the SimPy engine.
* **The bank branch with quality and complaints** (``scenarios/bank_branch.yaml`` as shipped:
  two classes, judgement, complaints and their desk, one day per replication): 1,000
  replications on the kernel against 100 on the SimPy engine (the whole ``simulate`` call,
  KPIs included), per replication. Target: kernel ≥ 10× the SimPy engine.
* **Peak memory** of a fresh process simulating the 10^7 customers on the kernel with records
  streamed (``keep_records: false``), read as in ``benchmarks/run.py``. Target < 300 MB.
* **Compile time**: a fresh process with an empty numba cache (``NUMBA_CACHE_DIR``), then a
  second fresh process with the cache it left: the first simulation's wall time in each.

Every simsvc run is ``simsvc.simulate`` on the scenario of ``benchmarks/simsvc_model.py`` (KPIs
and confidence-interval tables included); the kernel's records equal the SimPy engine's
(``tests/test_kernel_differential.py``), so the same mean wait is printed for both.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from benchmarks import minimal_simpy, simsvc_model
from benchmarks.run import ARRIVAL_RATE, ROOT, SERVERS, SERVICE_RATE, machine, peak_rss

__all__ = ["main"]

_COMPILE_CHILD = """
import sys, time
sys.path.insert(0, {root!r})
t = time.perf_counter()
from benchmarks import simsvc_model
simsvc_model.run(9.5, 1.0, 10, 20_000, 1, engine="kernel")
print(time.perf_counter() - t)
"""


def _cpu(fn: Callable[..., dict], n: int, patience: float | None = None, rate: float = ARRIVAL_RATE) -> dict:
    """CPU seconds and throughput of one run of ``fn`` on ``n`` customers."""
    start = time.process_time()
    out = fn(rate, SERVICE_RATE, SERVERS, n, 1, patience)
    seconds = time.process_time() - start
    return {"n": out["customers"], "cpu_s": seconds, "per_s": out["customers"] / seconds, "wait": out["mean_wait"]}


def _kernel(*args: object) -> dict:
    return simsvc_model.run(*args, engine="kernel")


def compile_times() -> tuple[float, float]:
    """Wall seconds to the first kernel simulation in a fresh process: empty cache, then warm."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        code = _COMPILE_CHILD.format(root=str(ROOT))
        runs = [
            float(subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                                 text=True).stdout.split()[-1])
            for _ in range(2)
        ]  # fmt: skip
    return runs[0], runs[1]


def _bank(replications: int, engine: str) -> dict:
    """CPU seconds per replication of the bundled bank branch on ``engine`` (its seed, ``replications``)."""
    import simsvc

    scenario = simsvc.load_scenario(ROOT / "scenarios" / "bank_branch.yaml")
    start = time.process_time()
    result = simsvc.simulate(scenario, replications, engine=engine, workers=1)
    seconds = time.process_time() - start
    assert result.engine == engine
    wait = float(result.summary().loc["mean_wait", "mean"])
    return {"n": replications, "cpu_s": seconds, "per_s": replications / seconds, "wait": wait}


def _line(name: str, r: dict, ref: dict | None = None) -> str:
    ratio = f"  {r['per_s'] / ref['per_s']:6.1f}× the SimPy engine" if ref else ""
    cells = f"{r['n']:>10,} customers {r['cpu_s']:7.2f} s CPU {r['per_s']:>12,.0f}/s  wait {r['wait']:.4f}"
    return f"  {name:28s} {cells}{ratio}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--customers", type=int, default=10_000_000, help="the kernel's M/M/10 run (default 10^7)")
    p.add_argument("--quick", action="store_true", help="a hundredth of every run (a smoke test of this script)")
    a = p.parse_args(argv)
    scale = 100 if a.quick else 1
    n_kernel, n_engine, n_minimal = a.customers // scale, 1_000_000 // scale, 200_000 // scale
    print("machine:", machine())
    cold, warm = compile_times()
    print(f"compile: first simulation in a fresh process {cold:.1f} s with an empty numba cache, {warm:.1f} s with it")
    _kernel(ARRIVAL_RATE, SERVICE_RATE, SERVERS, 1000, 1, None)  # load the cache in this process
    print(f"M/M/10 at load {ARRIVAL_RATE / SERVERS / SERVICE_RATE:.2f}:")
    engine = _cpu(simsvc_model.run, n_engine)
    kernel = _cpu(_kernel, n_kernel)
    minimal = _cpu(minimal_simpy.run, n_minimal)
    print(_line("simsvc, SimPy engine", engine))
    print(_line("simsvc, kernel", kernel, engine))
    print(_line("minimal SimPy model", minimal, engine))
    print(f"  kernel / minimal SimPy: {kernel['per_s'] / minimal['per_s']:.1f}×")
    print("M/M/10+M at load 1.3, patience mean 3 min (overloaded):")
    engine = _cpu(simsvc_model.run, n_engine, 3.0, 13.0)
    kernel = _cpu(_kernel, n_engine, 3.0, 13.0)
    print(_line("simsvc, SimPy engine", engine))
    print(_line("simsvc, kernel", kernel, engine))
    print("bank branch (quality model, complaints, desk), replications:")
    engine = _bank(max(1, 100 // scale), "simpy")
    kernel = _bank(max(1, 1000 // scale), "kernel")
    print(_line("simsvc, SimPy engine", engine).replace("customers", "reps     "))
    print(_line("simsvc, kernel", kernel, engine).replace("customers", "reps     "))
    memory = peak_rss(n_kernel, 1, engine="kernel")
    print(
        f"peak memory, {n_kernel:,} customers on the kernel, records streamed: {memory['peak_rss_mb']:.0f} MB "
        f"(VmHWM {memory['vm_hwm_mb']:.0f} MB; {memory['throughput']:,.0f} customers/s wall in that process)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
