from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = "Site public et données ouvertes"
