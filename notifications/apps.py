from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications par e-mail"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment check of the site's address)
