import os
import tempfile

from .base import *  # noqa: F401,F403
from .base import CACHES, DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Job results and uploads of the tests: a folder of their own, outside the project (MEDIA_ROOT in the
# environment names it, for the test that shares it with a real worker process).
MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or os.path.join(tempfile.gettempdir(), "spaser-test-media")

# Tests log in with the test client; django-axes would need `request=` on every `client.login`.
# The throttling tests turn it back on with override_settings(AXES_ENABLED=True).
AXES_ENABLED = False
# Serve static files from the app folders (no collectstatic before tests), for the live server too.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# No persistent connections in tests: a live server's request threads would keep the test database
# open and pytest-django could not drop it at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Each test process keeps its shared cache to itself (the suite runs in parallel, one process each).
CACHES["shared"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared"}
