from django.conf import settings
from django.contrib.auth.views import redirect_to_login

# Pages anyone may open: the login page itself, static files, the public site (what SCP published),
# the home page (the public site's, for a visitor without an account) and the sitemap.
PUBLIC_PREFIXES = ("/connexion/", "/static/", "/admin/login/", "/public/")
# The one-click link of the notification e-mails (a signed token names the person: no login).
PUBLIC_PREFIXES += ("/notifications/preference/",)
# Signing in without an account yet (accounts): a forgotten password (site's and admin's), an invitation.
PUBLIC_PREFIXES += ("/mot-de-passe-oublie/", "/admin/password_reset/", "/invitation/")
PUBLIC_PATHS = frozenset({"/", "/sitemap.xml"})


class LoginRequiredMiddleware:
    """Send anonymous visitors to the login page for every page but the public ones.

    Django 5.1's own middleware needs a decorator on each public view; a prefix list keeps
    the public surface visible in one place.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        public = request.path in PUBLIC_PATHS or request.path.startswith(PUBLIC_PREFIXES)
        if not public and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)
