"""The accounts in the admin: who signed in when and how, "Inviter une personne", "Désactiver".

Accounts are never deleted (their history and the years they entered stay theirs): SCP deactivates
them (`services.user_deactivate`), which ends their sessions and leaves their pilot posts vacant.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from . import admin_views, services
from .models import Invitation

admin.site.unregister(User)


@admin.register(User)
class AccountUserAdmin(UserAdmin):
    change_list_template = "accounts/admin/user_change_list.html"
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "is_active",
        "last_login",
        "sign_in_method",
    ]
    list_filter = ["is_active", "groups", "is_staff", "is_superuser"]
    list_select_related = ["account"]
    actions = ["deactivate"]

    @admin.display(description="connexion par")
    def sign_in_method(self, obj: User) -> str:
        try:
            return obj.account.get_last_sign_in_method_display()
        except User.account.RelatedObjectDoesNotExist:
            return ""

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Désactiver les comptes sélectionnés")
    def deactivate(self, request, queryset):
        done = 0
        for user in queryset.filter(is_active=True):
            try:
                services.user_deactivate(user=user, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{user} : {' '.join(error.messages)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} compte(s) désactivé(s) ; leurs sessions sont fermées.")

    def get_urls(self):
        invite = path("inviter/", self.admin_site.admin_view(self.invite_view), name="auth_user_invite")
        return [invite, *super().get_urls()]

    def invite_view(self, request):
        return admin_views.user_invite_view(self, request)


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    list_display = ["user", "invited_by", "created_at", "accepted_at"]
    list_select_related = ["user", "invited_by"]
    list_filter = [("accepted_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "user__last_name"]

    def has_add_permission(self, request, obj=None):
        return False  # from "Inviter une personne", which sends the link

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
