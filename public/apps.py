from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = "Site public et données ouvertes"

    def ready(self):
        # The public schema PDF is rendered by a background job (jobs sits below this app).
        from .jobs import register_handlers

        register_handlers()
