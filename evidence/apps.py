from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Preuves"

    def ready(self):
        # Plugged into the lower apps, which never import this one: the values workbook's evidence
        # counts (indicators) and the audit archive's job (jobs).
        from . import jobs, workbook

        workbook.register_columns()
        jobs.register_handlers()
