"""The web app for training courses: ``simsvc app``.

Why Streamlit: a trainer's page is a column of sliders, a Run button, KPI numbers and
figures, which Streamlit expresses as a short top-to-bottom script with no HTML, JavaScript
or callbacks to maintain; it ships as one pip package, serves on localhost with a health
endpoint (``/_stcore/health``) that tests and launchers can wait on, and its widgets are
ordinary DOM elements a real browser can drive. Panel or Dash would do the same with more
layout and callback code; a hand-written page would need its own server, state and upload
handling. The simulation itself stays framework-free in :mod:`simsvc.app.core`, so the
benchmark and tests run exactly what the Run button runs.
"""

__all__: list[str] = []
