"""Reads that assemble what a page shows."""

from django.db.models import Prefetch

from .models import Axis, Fiche, Objective, Plan


def plan_overview(*, plan: Plan) -> list[Axis]:
    """The plan's axes in order, each with its objectives and their fiches (pilots and principles).

    Four queries whatever the plan's size.
    """
    fiches = Fiche.objects.with_summary().order_by("number")
    objectives = Objective.objects.order_by("position").prefetch_related(Prefetch("fiches", queryset=fiches))
    return list(
        Axis.objects.filter(plan=plan)
        .order_by("position")
        .prefetch_related(Prefetch("objectives", queryset=objectives))
    )
