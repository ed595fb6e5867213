from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Suivi annuel"

    def ready(self):
        # The follow-up plugs its rule into the plan's writes: a validated year locks its milestones,
        # and a fiche, an indicator or a plan with validated years cannot be deleted.
        from actions.services import register_state_hook

        from .services.campaigns import campaigns_end_with_plan
        from .services.workflow import register_guards

        register_guards()
        # Closing a plan closes the campaigns of its earlier years (only its last year's may run on).
        register_state_hook(campaigns_end_with_plan)
        # Nothing is e-mailed to pilots about a plan in preparation (notifications app).
        from notifications.services import register_audience_check

        from .services.notices import plan_state_refusal

        register_audience_check(plan_state_refusal)
