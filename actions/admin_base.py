"""The plan's admin machinery: every form, inline and delete goes through the plan's services.

`PlanContentAdmin` and `PlanContentInline` carry the version each row was shown at, check the rules
before saving (a refusal is shown next to the form, the typing kept, nothing written) and save
through `plan_content_save` / `plan_content_delete`. The plan's state (actions.states) comes first:
the rows of a closed plan open read-only (no change, add or delete permission on them or their
inlines) under a banner, and a form opened before the plan was closed is refused when sent, nothing
written. The admins of actions, contracts and indicators build on these classes.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from core.versioning import StaleWrite, stale_message

from . import enums, services, states

SEEN_VERSION = "seen_version"
NOTHING_WRITTEN = " Rien n'a été enregistré."


def content_state_refusal(obj) -> str | None:
    """Why a row of the plan (or the plan itself) may not be written in its plan's state, or None."""
    plan = states.plan_of(obj) if obj is not None else None
    return states.content_refusal(plan) if plan is not None else None


def read_only_banner(obj, refusal: str) -> str:
    """The banner over a change form the plan's state makes read-only."""
    plan = states.plan_of(obj)
    reason = refusal.removesuffix(NOTHING_WRITTEN)
    if plan is not None and plan.state == enums.PlanState.CLOSED:
        return f"Ce plan est clos : cette page est en lecture seule. {reason}"
    return f"Cette page est en lecture seule. {reason}"


class VersionedForm(forms.ModelForm):
    """A model form that refuses to save over a change made by someone else since it was opened,
    and over a rule of the plan (write guards): the error is shown on the form, the typing kept."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields[SEEN_VERSION].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        # The instance was read from the database for this request: its version is the stored one.
        if self.instance.pk and cleaned.get(SEEN_VERSION) != self.instance.version:
            raise forms.ValidationError(stale_message(self.instance), code="stale")
        return cleaned

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the submitted values
        # The plan's state comes first: a closed plan's form says so, whatever else is wrong with it.
        refusal = self.state_refusal(self.instance) if self._names_its_plan() else None
        if refusal:
            self.add_error(None, refusal)
            return
        if self.errors:
            return
        deleting = bool(self.cleaned_data.get("DELETE")) and self.instance.pk is not None
        refusal = self.write_refusal(self.instance, deleting)
        if refusal:
            self.add_error(None, refusal)

    def write_refusal(self, obj, deleting: bool) -> str | None:
        return services.write_refusal(obj, deleting=deleting)

    def state_refusal(self, obj) -> str | None:
        """Why the plan's state refuses this row (its content: a closed plan's is read-only)."""
        return content_state_refusal(obj)

    def _names_its_plan(self) -> bool:
        """Whether the instance's way up to its plan (plan, fiche, axis...) is set and valid."""
        return not any(name in self.errors for name in ("plan", "fiche", "axis", "indicator", "objective"))


class WriteThroughServicesMixin:
    """Admin writes through the services: save_model, delete_model and inlines; refusals in French.

    A higher app's admin overrides `save_row` / `delete_row` with its own services and adds the
    exceptions they raise to `refusals`.
    """

    form = VersionedForm
    refusals: tuple[type[Exception], ...] = (StaleWrite, services.WriteRefused)

    def save_row(self, request, obj, seen_version):
        services.plan_content_save(obj=obj, user=request.user, seen_version=seen_version)

    def delete_row(self, request, obj, seen_version=None):
        services.plan_content_delete(obj=obj, user=request.user, seen_version=seen_version)

    def save_model(self, request, obj, form, change):
        self.save_row(request, obj, form.cleaned_data.get(SEEN_VERSION) if change else None)

    def delete_model(self, request, obj):
        self.delete_row(request, obj)

    def save_formset(self, request, form, formset, change):
        seen = {
            id(inline.instance): inline.cleaned_data.get(SEEN_VERSION)
            for inline in formset.forms
            if getattr(inline, "cleaned_data", None)
        }
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            self.delete_row(request, obj, seen.get(id(obj)))
        for obj in instances:
            self.save_row(request, obj, seen.get(id(obj)) if obj.pk else None)
        formset.save_m2m()

    # --- the plan's state (actions.states): the rows of a closed plan are read-only here ----------

    def state_refusal(self, obj) -> str | None:
        """Why `obj` may not be written in its plan's state; a follow-up admin asks for its year."""
        return content_state_refusal(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and self.state_refusal(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and self.state_refusal(obj))

    def _state_refusal_of(self, request, object_id) -> tuple[object, str | None]:
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        return obj, (self.state_refusal(obj) if obj is not None else None)

    def get_actions(self, request):
        # The bulk delete would bypass the rules of each row: rows are deleted one at a time.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _refused(self, request, error: Exception):
        messages.error(request, f"{error} Rien n'a été enregistré.")
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj, refusal = self._state_refusal_of(request, object_id)
        if refusal:
            if request.method == "POST":  # a form opened before the plan was closed: nothing written
                messages.error(request, refusal)
                return HttpResponseRedirect(request.get_full_path())
            messages.warning(request, read_only_banner(obj, refusal))
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except self.refusals as error:
            # Lost the race between the form's checks and the save: the view's transaction is undone.
            return self._refused(request, error)

    def delete_view(self, request, object_id, extra_context=None):
        obj, refusal = self._state_refusal_of(request, object_id)
        if refusal:
            messages.error(request, refusal)
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            )
        try:
            return super().delete_view(request, object_id, extra_context)
        except self.refusals as error:
            return self._refused(request, error)


class PlanContentAdmin(WriteThroughServicesMixin, SimpleHistoryAdmin):
    pass


class PlanContentInline:
    """An inline whose rows carry their version and go through the same checks."""

    form = VersionedForm
    extra = 0

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields if SEEN_VERSION in fields else [*fields, SEEN_VERSION]

    # `obj` is the parent row: the rows of a closed plan's parent are shown read-only.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not content_state_refusal(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not content_state_refusal(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not content_state_refusal(obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the imports only: nobody adds, edits or deletes a row by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def records_table(
    records: list[dict], columns: list[tuple[str, str]], *, css_class="", empty="Aucun."
) -> str:
    """What an import skipped or kept with a doubt, as a table: one column per (key, heading)."""
    if not records:
        return empty
    head = format_html_join("", "<th>{}</th>", ((heading,) for _, heading in columns))
    rows = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((r.get(key, ""),) for key, _ in columns)),) for r in records),
    )
    opening = format_html('<table class="{}">', css_class) if css_class else mark_safe("<table>")
    return format_html("{}<thead><tr>{}</tr></thead><tbody>{}</tbody></table>", opening, head, rows)
