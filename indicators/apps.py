from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Suivi annuel"

    def ready(self):
        # The follow-up plugs its rule into the plan's writes: a validated year locks its milestones,
        # and a fiche, an indicator or a plan with validated years cannot be deleted.
        from .services.workflow import register_guards

        register_guards()
