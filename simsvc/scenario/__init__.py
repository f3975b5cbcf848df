"""The scenario file format: models, loading with field-path errors, JSON Schema."""

from simsvc.scenario.load import load_scenario, scenario_json_schema
from simsvc.scenario.models import (
    Arrivals,
    CustomerClass,
    Horizon,
    Scenario,
    Shift,
    Simulation,
    Targets,
    Team,
    TrainingLevel,
)

__all__ = [
    "Arrivals",
    "CustomerClass",
    "Horizon",
    "Scenario",
    "Shift",
    "Simulation",
    "Targets",
    "Team",
    "TrainingLevel",
    "load_scenario",
    "scenario_json_schema",
]
