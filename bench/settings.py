"""Settings of the benchmark's own databases: production-like (DEBUG off, manifest static files,
real password hashing, login throttling on) but plain HTTP on loopback."""

import os
from pathlib import Path

import environ

from spaser.settings.base import *  # noqa: F401,F403
from spaser.settings.base import DATABASES

DEBUG = False
SECRET_KEY = "bench-" + "x" * 60
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
DATABASES["default"] = environ.Env.db_url_config(os.environ["BENCH_DATABASE_URL"])
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
STATIC_ROOT = Path(os.environ["BENCH_DIR"]) / "static"
MEDIA_ROOT = Path(os.environ["BENCH_DIR"]) / "media"  # job results
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {"axes": {"level": "WARNING"}},
}
