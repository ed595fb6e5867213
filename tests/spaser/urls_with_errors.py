"""The project's URLconf plus a page that fails, for the 500 page's tests (no page fails on purpose)."""

from django.urls import path

from spaser import urls as project_urls


def failing_page(request):
    raise RuntimeError("Une page qui échoue, pour le test de la page 500.")


# Under /public/, which spaser.middleware opens to anonymous visitors: the failure is the view's.
urlpatterns = [path("public/page-en-erreur/", failing_page), *project_urls.urlpatterns]
handler400 = project_urls.handler400
