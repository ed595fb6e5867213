"""Admin behaviour shared by every django-import-export admin of the project: all or nothing.

The library's preview already rolls back, but its confirm step re-imports with
`rollback_on_validation_errors=False`: rows that became invalid since the preview (someone changed
the data meanwhile) would be skipped and the others committed. Here the confirm step rolls back on
any error and says so, in French, naming the rows; nothing is written.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from .. import rights
from .files import ExcelFileError


class AllOrNothingImportMixin:
    def has_import_permission(self, request):
        return rights.may_import(request.user)

    def has_export_permission(self, request):
        return rights.may_export(request.user)

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        # Our own reader words its refusals in French; say them rather than the exception's name.
        if isinstance(e, ExcelFileError):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file", "Le fichier ne peut pas être lu : choisissez un classeur Excel (.xlsx)."
            )

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except ExcelFileError as exc:  # the stored file vanished or was altered between preview and confirm
            messages.error(request, f"{exc} Rien n'a été enregistré.")
            return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*self.get_model_info())))

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Row numbers as Excel shows them: data row n is sheet row n + 1, under the headers.
            resource = self.get_import_resource_classes(request)[0]()
            columns = {f.attribute: f.column_name for f in resource.fields.values()}
            problems = []
            for line, error in result.row_errors():
                problems.extend(f"ligne {line + 1} : {e.error}" for e in error)
            for invalid in result.invalid_rows:
                for field, errors in invalid.field_specific_errors.items():
                    column = columns.get(field, field)
                    problems.extend(f"ligne {invalid.number + 1}, colonne « {column} » : {e}" for e in errors)
                problems.extend(
                    f"ligne {invalid.number + 1} : {e}" for e in invalid.non_field_specific_errors
                )
            messages.error(
                request,
                "Import annulé, rien n'a été enregistré : les données ont changé depuis l'aperçu et "
                f"{len(problems)} erreur(s) sont apparues ({' ; '.join(problems[:10])}). Relancez l'import.",
            )
            return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*self.get_model_info())))
        return super().process_result(result, request)
