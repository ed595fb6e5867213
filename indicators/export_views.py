"""Downloads of the plan and of the yearly values as Excel workbooks (SCP and comité de suivi only).

Wired under /exports/ (namespace "exports") by indicators/export_urls.py.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from actions import roles
from actions.models import Plan

from . import excel


def _may_export(user) -> bool:
    return roles.is_scp(user) or roles.is_committee(user)


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def plan_xlsx(request, slug: str) -> HttpResponse:
    """The plan: fiches (with every field), pilots, milestones and indicators, one sheet each."""
    if not _may_export(request.user):
        raise PermissionDenied
    plan = get_object_or_404(Plan, slug=slug)
    today = timezone.localdate().isoformat()
    return _xlsx_response(excel.plan_workbook(plan), f"{plan.slug}-plan-{today}.xlsx")


def values_xlsx(request, slug: str) -> HttpResponse:
    """The yearly values: one row per indicator, one column per year; re-importable in the admin."""
    if not _may_export(request.user):
        raise PermissionDenied
    plan = get_object_or_404(Plan, slug=slug)
    today = timezone.localdate().isoformat()
    return _xlsx_response(excel.values_workbook(plan), f"{plan.slug}-valeurs-{today}.xlsx")
