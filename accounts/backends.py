from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    """Django's password sign-in, refused when local passwords are switched off (LOCAL_LOGIN_ENABLED),
    but for a superuser: the way into the admin when the identity provider is down."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not settings.LOCAL_LOGIN_ENABLED and not user.is_superuser:
            return None
        return user
