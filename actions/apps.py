from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Plan et fiches-actions"

    def ready(self):
        from .permissions import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="actions.sync_role_permissions")
