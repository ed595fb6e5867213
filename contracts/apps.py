from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Registre des contrats (DECP)"

    def ready(self):
        # Closing a plan freezes its legal figures (the register keeps filling, the plan's figures
        # are read as they stood then); putting it back in force lifts the freeze.
        from actions.services import register_state_hook

        from .services import freeze_with_plan

        register_state_hook(freeze_with_plan)

        # A DECP import confirmed in the admin runs as a background job (jobs app, below this one).
        from .jobs import register_handlers

        register_handlers()

        # The SIRENE import keeps the companies the register's holders belong to (suppliers.wanted).
        from suppliers.wanted import register_provider

        from .selectors.suppliers import holder_identifiers

        register_provider(holder_identifiers)
