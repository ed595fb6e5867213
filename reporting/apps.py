from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Bilans annuels"

    def ready(self):
        # Whether a closed plan is sealed (its final bilan published) is this app's to say: it plugs
        # its check into the plan's states (actions.states), which never import upward.
        from actions.states import register_seal_check

        from .services import final_bilan_published

        register_seal_check(final_bilan_published)

        # The live PDFs render as background jobs (jobs app, which sits below and never imports us).
        from .jobs import register_handlers

        register_handlers()
