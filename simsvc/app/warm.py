"""Start the Streamlit server with the page's work done once: the first visitor's page loads fast.

Streamlit imports what the page imports only when the first browser session runs it (about 2 s
of simsvc, pandas and Altair here), and the first chart loads Vega-Lite's schema, the first run
the engine's modules. Done here, before the server answers, in the server's own process, the
first page and the first Run cost what every later one costs. ``python -m simsvc.app.warm run
PAGE ...`` takes Streamlit's own command line.
"""

from __future__ import annotations

import sys

__all__ = ["warm"]


def warm() -> None:
    """Import the page's modules, build one chart, run a short teaching run, start the side-by-side worker."""
    import altair as alt
    import pandas as pd

    import simsvc.output
    import simsvc.plan_output
    from simsvc.app import chart_view, charts, core, runs  # noqa: F401

    alt.Chart(pd.DataFrame({"x": [0]})).mark_point().encode(x="x:Q").to_dict()
    files = core.bundled_scenarios()
    if files:
        path = next(iter(files.values()))
        scenario = simsvc.load_scenario(path)
        run = core.run_setting(scenario, core.Setting(core.default_setting(scenario).values, 2), "en", path.parent)
        chart_view.tables(run)
    from simsvc.app import side_by_side

    side_by_side.start()


if __name__ == "__main__":
    warm()
    from streamlit.web.cli import main

    sys.exit(main(prog_name="streamlit"))
