"""The public site's legal pages in the admin: one record, set by SCP, each change kept in history."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.html import format_html_join
from simple_history.admin import SimpleHistoryAdmin

from core import rights
from core.versioning import StaleWrite, stale_message

from .models import LegalInformation
from .services import legal_information_save

SEEN_VERSION = "seen_version"


class LegalInformationForm(forms.ModelForm):
    """Refuses to save over a change someone else made since the form was opened (typing kept)."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields[SEEN_VERSION].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get(SEEN_VERSION) != self.instance.version:
            raise forms.ValidationError(stale_message(self.instance), code="stale")
        return cleaned


@admin.register(LegalInformation)
class LegalInformationAdmin(SimpleHistoryAdmin):
    form = LegalInformationForm
    list_display = ["__str__", "conformity_status", "audit_date", "updated_at"]
    readonly_fields = ["still_to_fill"]
    fieldsets = [
        (None, {"fields": ["still_to_fill", SEEN_VERSION]}),
        (
            "Mentions légales",
            {
                "fields": [
                    "publisher",
                    "publisher_address",
                    "publisher_contact",
                    "publication_director",
                    "host",
                    "host_address",
                    "contact",
                ]
            },
        ),
        (
            "Déclaration d'accessibilité",
            {
                "fields": [
                    "conformity_status",
                    "conformity_rate",
                    "audit_date",
                    "auditor",
                    "statement_date",
                    "test_results",
                    "non_compliance",
                    "derogations",
                    "exempt_content",
                    "technologies",
                    "test_environment",
                    "audit_tools",
                    "audited_pages",
                ]
            },
        ),
        (
            "Données personnelles",
            {
                "fields": [
                    "controller",
                    "purposes",
                    "legal_basis",
                    "data_processed",
                    "cookies",
                    "retention",
                    "recipients",
                    "rights_contact",
                    "dpo_contact",
                ]
            },
        ),
    ]

    @admin.display(description="Champs encore à compléter")
    def still_to_fill(self, obj):
        names = (obj or LegalInformation()).fields_to_fill()
        if not names:
            return "Aucun : chaque champ a été renseigné."
        return format_html_join(", ", "{}", ((name,) for name in names))

    # Only SCP writes (core.rights: "publish a plan on the public site"); one record, never deleted.
    def has_add_permission(self, request):
        return (
            rights.may_publish(request.user)
            and super().has_add_permission(request)
            and not LegalInformation.objects.exists()
        )

    def has_change_permission(self, request, obj=None):
        return rights.may_publish(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        seen = form.cleaned_data.get(SEEN_VERSION) if change else None
        legal_information_save(information=obj, user=request.user, seen_version=seen)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleWrite as error:  # lost the race between the form's check and the save
            messages.error(request, f"{error} Rien n'a été enregistré.")
            return HttpResponseRedirect(request.get_full_path())
