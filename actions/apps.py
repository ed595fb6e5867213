from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Plan et fiches-actions"

    def ready(self):
        from django.contrib.auth.models import Group, User
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from simple_history.signals import post_create_historical_record

        from core.caching import data_changed
        from core.rights import rights_changed, sync_role_permissions

        from .models import FichePilot, Pilot

        post_migrate.connect(sync_role_permissions, dispatch_uid="actions.sync_role_permissions")
        # Every recorded write, and every migrate, changes the version the cached pages are keyed by.
        post_create_historical_record.connect(data_changed, dispatch_uid="actions.data_changed")
        post_migrate.connect(data_changed, dispatch_uid="actions.data_changed_migrate")
        # Rights are cached by data version (core.rights): a change of what they are read from draws a
        # new one, even where no history record is written (auth's groups, bulk m2m changes).
        m2m_changed.connect(rights_changed, sender=User.groups.through, dispatch_uid="rights.groups")
        m2m_changed.connect(rights_changed, sender=Pilot.users.through, dispatch_uid="rights.posts")
        for model in (Group, FichePilot):
            post_save.connect(rights_changed, sender=model, dispatch_uid=f"rights.save.{model.__name__}")
            post_delete.connect(rights_changed, sender=model, dispatch_uid=f"rights.delete.{model.__name__}")
