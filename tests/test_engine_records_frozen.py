"""The records of every bundled scenario are bit-identical to those of the single-station engine.

The engine moves customers through journeys; a class without a declared journey takes one
step, and must be simulated exactly as before journeys existed. The expected hashes were
computed with the engine before journeys (commit f105cce), for each bundled scenario as it
is and with the quality model switched off (the two engines), two replications, seed 7.
A change here means one-step journeys no longer give the same customers.

The complaints (and complaint KPIs) of two scenarios changed once, by design: since the
complaint desk became a station of the engine, a customer who abandons and complains enters
the desk at the moment it abandons, not when the engine next looked at its queue
(service_centre and service_desk_fortnight; every customer record stayed the same). Then
one returning customer's gap in service_desk_fortnight moved in its last bit (0.9118734126960077
to ...75), when a complainer's perceived responsiveness (which its return's expectations adapt
to) came to be computed by `simsvc.quality.perceived_responsiveness`, not by a copy of it.

The quality model's records (quality on) changed by design when a class's new customers
came to have their quality numbers (the ``quality`` stream, and the return draws of the
``loyalty`` stream) drawn once per day in arrival order, not per interval: the same numbers
are dealt out in another order, so failures, rework (hence service times and waits),
judgements and complaints all move; the plain records (quality off) did not change.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

import simsvc
from tests.helpers import SCENARIOS

EXPECTED = {
    # (scenario, quality model on): (customers, complaints, KPIs) hash prefixes
    ('bank_branch.yaml', True): ('66469ec090388f74b8d9', 'b90513b5fdcc3a707d71', 'fbe412c2af384583885b'),
    ('bank_branch.yaml', False): ('3e915870fa0ac2365a43', '', '21f1dbda991e4566e879'),
    ('call_centre.yaml', True): ('0a8526c8ebc6d7aa154f', 'f7ecf91969cfc2d866ee', '1ee17e9201d71b767e5c'),
    ('call_centre.yaml', False): ('a860b16e4784db533f4c', '', '94895d70ce342e9be00b'),
    # Channels and skills (issue 14): its records as they were when the scenario was added.
    ('contact_centre_omnichannel.yaml', True): ('baed523943998c2f0c0f', 'eb66c75ba24528bdcff4', '3305ae574af3718a69bc'),
    ('contact_centre_omnichannel.yaml', False): ('07cd0ae0c36e7213866f', '', 'c372bec955aa29001766'),
    # A journey of several steps (no single-station engine to compare with): its records as they
    # were when the scenario was added, so that a change to the engine shows here too.
    ('service_centre.yaml', True): ('4e2e2b8c45a813a3a86b', 'a7a6476db683738fc6db', 'e13d56bf679025f23b25'),
    ('service_centre.yaml', False): ('792ed041e3c4c23975d6', '', 'f7637c1aa68f0526b9a5'),
    ('service_desk_fortnight.yaml', True): ('45be02ab091260c73d4d', '3f5a4700ba416eaa3f79', '80e77f2924b191110bcb'),
    ('service_desk_fortnight.yaml', False): ('6626a90b9905a6507853', '', '1fa05ef3ee0a27722a20'),
    ('teaching.yaml', True): ('5d417bf521ca1d44efe3', '2d8ddaa91ea82ef82c0d', '09c0ad19f2cfa243bbb1'),
    ('teaching.yaml', False): ('00511e00d7ae19290345', '', 'b3a36d3eaa0773759677'),
}  # fmt: skip


def _digest(frame: pd.DataFrame) -> str:
    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()).hexdigest()[:20]


def digests(name: str, quality: bool) -> tuple[str, str, str]:
    scenario = simsvc.load_scenario(SCENARIOS / name)
    if not quality:
        scenario = scenario.replace({"quality.enabled": False, "loyalty": None, "costs.lost_customer_value": 0})
    result = simsvc.simulate(scenario, replications=2, seed=7)
    complaints = _digest(result.complaints) if quality else ""
    kpis = result.kpis[result.kpis["group"] != "station"]  # KPIs per station came later: the rest are frozen
    kpis = kpis.sort_values(list(kpis.columns[:-1]), kind="stable", ignore_index=True)
    return _digest(result.customers), complaints, _digest(kpis)


CASES = [(p.name, q) for p in sorted(SCENARIOS.glob("*.yaml")) for q in (True, False)]


@pytest.mark.parametrize(("name", "quality"), CASES)
def test_one_step_journeys_give_the_records_of_the_single_station_engine(name, quality):
    assert digests(name, quality) == EXPECTED[(name, quality)]


def test_a_one_step_journey_naming_its_station_is_the_same_as_serves():
    """A class whose journey is one step naming its station, with the team listing no class, is
    simulated exactly as the same class listed in the team's ``serves`` (found by the stop check:
    it used to be served only on arrival, and its records never flushed)."""
    base = {
        "name": "one step",
        "horizon": {"days": 1, "open": "09:00", "close": "12:00", "interval_minutes": 30},
        "customer_classes": [{"name": "c", "arrivals": {"per_hour": 30},
                              "service_time": {"dist": "exponential", "mean": 4}}],
        "teams": [{"name": "t", "serves": ["c"], "staff": 2}],
        "simulation": {"replications": 3, "seed": 5},
    }  # fmt: skip
    declared = {**base, "teams": [{"name": "t", "staff": 2}]}
    declared["customer_classes"] = [{**base["customer_classes"][0], "journey": [{"station": "t"}]}]
    a = simsvc.simulate(simsvc.load_scenario(base), keep_records=True)
    b = simsvc.simulate(simsvc.load_scenario(declared), keep_records=True)
    assert len(a.customers) > 200
    pd.testing.assert_frame_equal(a.customers, b.customers)
