"""The live bilan page, rendered once per state of the data instead of once per request.

Building the bilan reads every fiche, value and review of the plan (about 50 ms at SPASER 54's size,
ten times more at ten times the size) and rendering it costs as much again, although the data
changes a few times a day. Every write to the tables a bilan reads goes through `save()` or
`delete()`, so it adds a row to that table's django-simple-history table: the newest history id of
each table is a stamp of the data, read in one query, that changes whenever the bilan could.
"""

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from actions.models import Plan

from .selectors import bilan_build

CONTENT_APPS = ("actions", "indicators")
TIMEOUT = 24 * 3600


def _history_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for app in CONTENT_APPS
        for model in apps.get_app_config(app).get_models()
        if model.__name__.startswith("Historical")
    )


def data_stamp() -> str:
    """The newest history id of every content table, e.g. "12.0.845.…" (one query)."""
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT {index}, MAX({quote('history_id')}) FROM {quote(table)}"
        for index, table in enumerate(_history_tables())
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return ".".join(str(stamp or 0) for _, stamp in sorted(cursor.fetchall()))


def live_bilan(*, plan: Plan, year: int | None) -> tuple[dict, str]:
    """The bilan's data and its rendered content, built again only when the data (or the day) changed.

    The day is part of the key because milestones become late as days pass.
    """
    key = f"bilan:{plan.pk}:{year}:{timezone.localdate().isoformat()}:{data_stamp()}"
    cached = cache.get(key)
    if cached is None:
        data = bilan_build(plan=plan, year=year)
        html = render_to_string("reporting/includes/bilan_content.html", {"bilan": data})
        cached = (data, html)
        cache.set(key, cached, TIMEOUT)
    return cached
