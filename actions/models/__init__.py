"""The plan as structured data: a SPASER, its axes, objectives, principles, fiches and indicators."""

from .fiche import (
    Actor,
    Fiche,
    FichePilot,
    Goal,
    Means,
    Milestone,
    VigilancePoint,
)
from .indicator import Indicator
from .plan import Axis, Buyer, Direction, GlossaryEntry, Objective, Pack, Pilot, Plan, Principle

__all__ = [
    "Actor",
    "Axis",
    "Buyer",
    "Direction",
    "Fiche",
    "FichePilot",
    "GlossaryEntry",
    "Goal",
    "Indicator",
    "Means",
    "Milestone",
    "Objective",
    "Pack",
    "Pilot",
    "Plan",
    "Principle",
    "VigilancePoint",
]
