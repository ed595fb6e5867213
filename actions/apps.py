from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Plan et fiches-actions"

    def ready(self):
        from simple_history.signals import post_create_historical_record

        from core.caching import data_changed
        from core.rights import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="actions.sync_role_permissions")
        # Every recorded write, and every migrate, changes the version the cached pages are keyed by.
        post_create_historical_record.connect(data_changed, dispatch_uid="actions.data_changed")
        post_migrate.connect(data_changed, dispatch_uid="actions.data_changed_migrate")
