from django.contrib import admin
from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Pilotage SPASER – administration"
admin.site.site_title = "Pilotage SPASER"
admin.site.index_title = "Service commande publique"

urlpatterns = [
    # The admin's "forgotten password" link leads to the site's page (www/urls.py), in French.
    path(
        "admin/password_reset/",
        RedirectView.as_view(pattern_name="password_reset"),
        name="admin_password_reset",
    ),
    path("admin/", admin.site.urls),
    path("", include("www.urls")),  # every page of the site: www/urls.py is the site map
]


def bad_request(request, exception):
    """The French 400 page, rendered without the request.

    Django's own handler renders 400.html with the request, so with the context processors, which read
    what the middleware adds (request.user); but a 400 may come before that middleware ran: a host not
    in ALLOWED_HOSTS is refused by CommonMiddleware, and the 400 would turn into a 500. The page says
    nothing about the visitor anyway.
    """
    return HttpResponseBadRequest(render_to_string("400.html"))


handler400 = bad_request
