"""The contracts register in the admin (SCP).

The register is written by DECP imports only: its list is read-only, with its history. SCP imports
files from it ("Importer des fichiers DECP"): the files wait in a private temporary folder (never a
served one), a dry run shows what would change, and "Confirmer l'import" applies it in one
transaction (`services.decp_apply`). The plan's legal targets, the national references and the fiche
indicators computed from the register are edited like the plan's content: version check, history
author, writes through the plan's services (`PlanContentAdmin`).
"""

import datetime
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from actions.admin import PlanContentAdmin
from actions.models import Plan
from core import rights
from core.values import format_number, format_yes_no

from . import decp, services
from .enums import Considerations, Nature, RecordOutcome
from .models import (
    Contract,
    ContractCorrection,
    DecpImport,
    LegalTarget,
    NationalReference,
    RegisterIndicator,
    Threshold,
)

# --- the register, read-only ---------------------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the imports only: nobody adds, edits or deletes a row by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    change_list_template = "admin/contracts/contract/change_list.html"
    list_display = [
        "contract_id",
        "short_object",
        "buyer_siret",
        "nature",
        "notified_on",
        "amount",
        "social",
        "reserved",
        "environmental",
        "corrected",
        "excluded",
        "is_demo",
    ]
    list_filter = [
        "year",
        "nature",
        "social",
        "environmental",
        "reserved",
        "corrected",
        "excluded",
        "buyer_siret",
        "is_demo",
    ]
    search_fields = ["object", "=contract_id", "=uid"]
    fieldsets = [
        (None, {"fields": ["uid", "buyer_siret", "contract_id", "nature", "nature_label", "object"]}),
        ("Passation", {"fields": ["cpv", "procedure", "notified_on", "year", "holders"]}),
        (
            "Montants (€ HT)",
            {"fields": ["initial_amount", "current_amount", "published_amount", "modifications"]},
        ),
        (
            "Considérations sociales et environnementales",
            {
                "fields": [
                    "social",
                    ("social_clause", "social_criterion", "reserved"),
                    "environmental",
                    ("environmental_clause", "environmental_criterion"),
                    ("corrected", "excluded"),
                    "published",
                ]
            },
        ),
        ("Source", {"fields": ["published_on", "source_file", "is_demo"]}),
    ]

    @admin.display(description="objet", ordering="object")
    def short_object(self, obj):
        return obj.object if len(obj.object) <= 80 else f"{obj.object[:79]}…"

    @admin.display(description="montant initial (€ HT)", ordering="initial_amount")
    def amount(self, obj):
        if obj.initial_amount is None:
            return f"« {obj.published_amount} »" if obj.published_amount else "—"
        return format_number(obj.initial_amount, 2)

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        own = [
            # csrf_exempt here, csrf_protect inside: the upload's size limit must be set before the CSRF
            # check reads the request's body (Django's documented pattern for upload handlers).
            path("import/", self.admin_site.admin_view(csrf_exempt(self.import_view)), name=f"{info}_import"),
            path(
                "import/confirmer/",
                self.admin_site.admin_view(require_POST(self.process_import_view)),
                name=f"{info}_process_import",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_import": rights.may_import_contracts(request.user)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        limit = limit_uploads(request)
        return csrf_protect(lambda checked: decp_import_view(self, checked, limit))(request)

    def process_import_view(self, request):
        return decp_confirm_view(self, request)


@admin.register(DecpImport)
class DecpImportAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "user", "files_list", "read", "kept", "new", "changed", "unchanged"]
    list_display += ["skipped_count", "notices_count", "seconds", "is_demo"]
    list_filter = ["is_demo", "user"]
    list_select_related = ["user"]
    date_hierarchy = "started_at"
    fields = [
        "started_at",
        "user",
        "files_list",
        "buyers_list",
        ("read", "kept"),
        ("new", "changed", "unchanged"),
        ("no_buyer", "not_records"),
        "seconds",
        "is_demo",
        "skipped_table",
        "notices_table",
    ]
    readonly_fields = ["files_list", "buyers_list", "skipped_table", "notices_table", "started_at"]

    @admin.display(description="fichiers")
    def files_list(self, obj):
        return ", ".join(obj.files)

    @admin.display(description="acheteurs retenus (SIRET)")
    def buyers_list(self, obj):
        return ", ".join(obj.buyers)

    @admin.display(description="ignorés")
    def skipped_count(self, obj):
        return len(obj.skipped)

    @admin.display(description="à vérifier")
    def notices_count(self, obj):
        return len({(n.get("buyer"), n.get("id")) for n in obj.notices})

    @admin.display(description="contrats gardés, à vérifier")
    def notices_table(self, obj):
        return _records_table(obj.notices, "decp-notices")

    @admin.display(description="contrats ignorés (non conformes)")
    def skipped_table(self, obj):
        return _records_table(obj.skipped, "decp-skipped")


def _records_table(records: list[dict], css_class: str) -> str:
    """The records an import skipped or kept with a doubt: file, id, buyer and reason of each."""
    if not records:
        return "Aucun."
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        ((r.get("file", ""), r.get("id", ""), r.get("buyer", ""), r.get("reason", "")) for r in records),
    )
    return format_html(
        '<table class="{}"><thead><tr><th>Fichier</th><th>Identifiant</th>'
        "<th>Acheteur (SIRET)</th><th>Motif</th></tr></thead><tbody>{}</tbody></table>",
        css_class,
        rows,
    )


# --- what SCP sets: targets, national references, fiche indicators from the register --------------------


class RegisterContentAdmin(PlanContentAdmin):
    """Version check, history author and writes through the plan's services; SCP only writes
    (core.rights: "import contracts (DECP), set the legal targets")."""

    def has_add_permission(self, request, obj=None):
        return rights.may_import_contracts(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return rights.may_import_contracts(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return rights.may_import_contracts(request.user) and super().has_delete_permission(request, obj)


@admin.register(LegalTarget)
class LegalTargetAdmin(RegisterContentAdmin):
    list_display = ["category", "measure", "share", "year", "plan"]
    list_filter = ["plan", "category", "measure"]


@admin.register(NationalReference)
class NationalReferenceAdmin(RegisterContentAdmin):
    list_display = ["category", "measure", "year", "share", "source"]
    list_filter = ["category", "measure", "year"]
    search_fields = ["source"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):  # an address typed without scheme is https (Django 6)
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(RegisterIndicator)
class RegisterIndicatorAdmin(RegisterContentAdmin):
    list_display = ["indicator", "category", "measure"]
    list_filter = ["category", "measure", "indicator__fiche__plan"]
    search_fields = ["indicator__code", "indicator__label"]
    list_select_related = ["indicator"]
    autocomplete_fields = ["indicator"]


@admin.register(Threshold)
class ThresholdAdmin(RegisterContentAdmin):
    list_display = ["kind", "amount", "valid_from", "source"]
    list_filter = ["kind"]
    search_fields = ["source"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(ContractCorrection)
class ContractCorrectionAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """SCP's corrections, with their history: made on the contract's page (services.contract_correct),
    where the published value stands beside the correction."""

    list_display = ["contract", "excluded", "reason", "updated_by", "updated_at", "contract_page"]
    list_filter = ["excluded", "updated_by"]
    list_select_related = ["contract", "updated_by"]
    search_fields = ["contract__contract_id", "contract__uid", "reason"]

    @admin.display(description="page du contrat")
    def contract_page(self, obj):
        plan = Plan.objects.filter(buyers__siret=obj.contract.buyer_siret).order_by("-start_year").first()
        if plan is None:
            return "—"
        url = reverse("contracts:contract_detail", args=[plan.slug, obj.contract_id])
        return format_html('<a href="{}">Voir et corriger</a>', url)


# --- importing DECP files -------------------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); each is checked like one file."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".json,application/json"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data] if data else []
        if not items and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


_SIRET_SPLIT = re.compile(r"[\s,;]+")


class DecpImportForm(forms.Form):
    # The files come last: an upload stopped at the size limit keeps what was typed before it.
    field_order = ["plan", "sirets", "files"]

    files = MultipleFileField(
        label="Fichiers DECP (JSON)",
        help_text="Un ou plusieurs fichiers au format DECP 2022 ou 2019 : ceux du profil d'acheteur, ou le "
        "fichier consolidé national de data.gouv.fr (seuls les contrats des acheteurs retenus sont gardés).",
    )
    plan = forms.ModelChoiceField(
        Plan.objects.order_by("-start_year"),
        required=False,
        label="Acheteurs du plan",
        empty_label="Tous les plans",
        help_text="Les contrats gardés sont ceux des acheteurs (SIRET) de ce plan.",
    )
    sirets = forms.CharField(
        required=False,
        label="Ou ces SIRET",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
        help_text="Remplacent les acheteurs du plan : SIRET de 14 chiffres, séparés par des espaces, "
        "des virgules ou des retours à la ligne.",
    )

    def clean(self):
        cleaned = super().clean()
        sirets = [s for s in _SIRET_SPLIT.split(cleaned.get("sirets") or "") if s]
        try:
            cleaned["buyers"] = services.buyers_of(cleaned.get("plan"), sirets)
        except services.PlanStateRefused as exc:
            self.add_error("plan", str(exc))
        except services.NoBuyers as exc:
            if sirets:
                self.add_error("sirets", str(exc))
            else:
                self.add_error(
                    "plan",
                    "Aucun acheteur : renseignez le SIRET des acheteurs du plan (page du plan, "
                    "« acheteurs ») ou indiquez les SIRET à retenir ci-dessous.",
                )
        return cleaned


_SESSION_KEY = "contracts_decp_import"
_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
PREVIEW_ROWS = 200  # rows shown per list of the preview (the counts are always whole)


def _pending_root() -> Path:
    """Where uploaded files wait for their confirmation: private to this account (0700), outside any
    served folder; previews abandoned for a day are swept."""
    root = Path(tempfile.gettempdir()) / "spaser-decp-imports"
    root.mkdir(mode=0o700, exist_ok=True)
    stale = time.time() - 24 * 3600
    for old in root.iterdir():
        if old.stat().st_mtime < stale:
            shutil.rmtree(old, ignore_errors=True)
    return root


def _store(uploads) -> tuple[str, list[str]]:
    """Copy the uploads, chunk by chunk, into a folder of their own; returns its token and the paths.
    A copy that fails leaves nothing behind."""
    token = secrets.token_hex(16)
    folder = _pending_root() / token
    folder.mkdir(mode=0o700)
    paths = []
    try:
        for index, upload in enumerate(uploads):
            target = folder / f"{index}.json"
            with open(target, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            paths.append(str(target))
    except BaseException:
        _discard(token)
        raise
    return token, paths


def _discard(token: str) -> None:
    if _TOKEN_RE.match(token or ""):
        shutil.rmtree(_pending_root() / token, ignore_errors=True)


def _render(modeladmin, request, context):
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": "Importer des fichiers DECP",
        **context,
    }
    return TemplateResponse(request, "admin/contracts/contract/decp_import.html", context)


class UploadLimit(TemporaryFileUploadHandler):
    """Django's upload to a temporary file, stopped as soon as a file passes the size limit (settings
    DECP_UPLOAD_MAX_MB): nothing beyond it is written to disk, and the form says which file."""

    def __init__(self, request=None, limit: int = 0):
        super().__init__(request)
        self.limit = limit
        self.refused: str | None = None  # the name of the file that passed the limit

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.refused = self.file_name
            self.file.close()  # a temporary file: closing it removes it
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


def limit_uploads(request) -> UploadLimit:
    """Put the size limit before Django's own handlers; call before anything reads the request's body."""
    limit = UploadLimit(request, settings.DECP_UPLOAD_MAX_MB * 1024 * 1024)
    request.upload_handlers = [limit]
    return limit


def _too_large(name: str) -> str:
    return (
        f"« {Path(name).name} » dépasse la taille maximale d'un import par l'administration "
        f"({settings.DECP_UPLOAD_MAX_MB} Mo) : rien n'a été enregistré. Un fichier plus grand (le fichier "
        "national) s'importe par la commande « manage.py decp_import »."
    )


def decp_import_view(modeladmin, request, limit: UploadLimit | None = None):
    """Step 1: upload, dry run, preview (new, changed with what changes, unchanged, skipped, doubtful).
    The uploaded copies are removed on every outcome but a preview waiting for its confirmation."""
    rights.require(rights.may_import_contracts(request.user), "Seul le service commande publique importe.")
    posted = request.method == "POST"
    form = DecpImportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial={"plan": Plan.objects.current()},
    )
    if limit is not None and limit.refused:
        form.is_valid()
        form.errors.pop("files", None)
        form.add_error("files", _too_large(limit.refused))
        return _render(modeladmin, request, {"form": form})
    if request.method != "POST" or not form.is_valid():
        return _render(modeladmin, request, {"form": form})
    uploads, buyers = form.cleaned_data["files"], form.cleaned_data["buyers"]
    names = [Path(upload.name).name for upload in uploads]
    try:
        token, paths = _store(uploads)
    except OSError:
        form.add_error("files", "Les fichiers n'ont pas pu être enregistrés sur le serveur : réessayez.")
        return _render(modeladmin, request, {"form": form})
    try:
        report = services.decp_apply(paths, buyers=buyers, dry_run=True, names=names)
    except decp.DecpFormatError as exc:
        _discard(token)
        form.add_error("files", f"{exc} Rien n'a été enregistré.")
        return _render(modeladmin, request, {"form": form})
    except BaseException:
        _discard(token)  # whatever happened, the copies do not stay behind
        raise
    _discard(request.session.get(_SESSION_KEY, {}).get("token", ""))  # a previous preview, abandoned
    plan = form.cleaned_data.get("plan")
    request.session[_SESSION_KEY] = {
        "token": token,
        "names": names,
        "buyers": buyers,
        "plan": plan.pk if plan else None,
    }
    return _render(modeladmin, request, {"preview": Preview.of(report), "token": token})


def decp_confirm_view(modeladmin, request):
    """Step 2: confirm (all or nothing, in one transaction) or abandon."""
    rights.require(rights.may_import_contracts(request.user), "Seul le service commande publique importe.")
    pending = request.session.get(_SESSION_KEY) or {}
    token = request.POST.get("token", "")
    folder = _pending_root() / token if _TOKEN_RE.match(token) else None
    if folder is None or pending.get("token") != token or not folder.is_dir():
        messages.error(request, "Cet aperçu d'import a expiré ou a déjà été confirmé : recommencez l'import.")
        return HttpResponseRedirect(reverse("admin:contracts_contract_import"))
    request.session.pop(_SESSION_KEY, None)
    if "cancel" in request.POST:
        _discard(token)
        messages.info(request, "Import abandonné : rien n'a été enregistré.")
        return HttpResponseRedirect(reverse("admin:contracts_contract_changelist"))
    paths = [str(folder / f"{index}.json") for index in range(len(pending["names"]))]
    plan = Plan.objects.filter(pk=pending.get("plan")).first() if pending.get("plan") else None
    try:
        services.buyers_of(plan, pending["buyers"])  # the plan may have been closed since the preview
    except services.PlanStateRefused as exc:
        _discard(token)
        messages.error(request, f"Import annulé : {exc}")
        return HttpResponseRedirect(reverse("admin:contracts_contract_import"))
    try:
        report = services.decp_apply(
            paths, buyers=pending["buyers"], user=request.user, names=pending["names"]
        )
    except (decp.DecpFormatError, OSError) as exc:
        messages.error(request, f"Import annulé : {exc} Rien n'a été enregistré.")
        return HttpResponseRedirect(reverse("admin:contracts_contract_import"))
    finally:
        _discard(token)
    messages.success(request, f"Import terminé : {report.summary}")
    return HttpResponseRedirect(reverse("admin:contracts_decpimport_change", args=[report.log.pk]))


# --- the preview ----------------------------------------------------------------------------------------

AMOUNT_FIELDS = {"initial_amount", "current_amount"}


def display_value(name: str, value) -> str:
    """A field's value as the preview shows it, in French."""
    if value is None or value == "" or value == []:
        return "—"
    if name in AMOUNT_FIELDS:
        return f"{format_number(value, 2)} €"
    if isinstance(value, bool):
        return format_yes_no(value)
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if name in ("social", "environmental"):
        return Considerations(value).label
    if name == "nature":
        return Nature(value).label
    if name == "published":
        return "(considérations publiées)"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, Decimal):
        return format_number(value)
    return str(value)


@dataclass
class PreviewRow:
    record: decp.Record
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # label, before, after

    @property
    def amount(self) -> str:
        if self.record.initial_amount is None:
            return f"« {self.record.initial.label} »" if self.record.initial.label else "—"
        return display_value("initial_amount", self.record.initial_amount)

    @property
    def notified_on(self) -> str:
        return display_value("notified_on", self.record.notified_on)


@dataclass
class Preview:
    report: services.ImportReport
    lists: dict[str, list[PreviewRow]]
    counts: dict[str, int]

    @classmethod
    def of(cls, report: services.ImportReport) -> "Preview":
        labels = {f.name: f.verbose_name for f in Contract._meta.get_fields() if hasattr(f, "verbose_name")}
        lists = {}
        for outcome in (RecordOutcome.NEW, RecordOutcome.CHANGED, RecordOutcome.UNCHANGED):
            lists[outcome] = [
                PreviewRow(
                    record,
                    [
                        (labels.get(name, name), display_value(name, old), display_value(name, new))
                        for name, old, new in report.changes.get(record.uid, [])
                    ],
                )
                for record in report.outcomes[outcome][:PREVIEW_ROWS]
            ]
        counts = {outcome: report.count(outcome) for outcome in RecordOutcome.values}
        return cls(report=report, lists=lists, counts=counts)

    @property
    def groups(self) -> list[tuple[str, int]]:
        return self.report.notice_groups()

    @property
    def new(self):
        return self.lists[RecordOutcome.NEW]

    @property
    def changed(self):
        return self.lists[RecordOutcome.CHANGED]

    @property
    def unchanged(self):
        return self.lists[RecordOutcome.UNCHANGED]

    @property
    def limit(self) -> int:
        return PREVIEW_ROWS
