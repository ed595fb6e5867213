from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "discussions"
    verbose_name = "Échanges"

    def ready(self):
        # The follow-up's workflow knows nothing of discussions (it sits below): returning a year opens
        # a thread with SCP's comment, and a year with open threads is validated once SCP confirms.
        from indicators.services.workflow import register_return_hook, register_validation_check

        from .services import open_threads_confirmation, thread_open_on_return

        register_return_hook(thread_open_on_return)
        register_validation_check(open_threads_confirmation)
