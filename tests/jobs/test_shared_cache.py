"""The shared cache on Redis (SHARED_CACHE_URL=redis://...), as web and worker machines share it in
production: the data version and a rendered PDF go through Django's own Redis backend."""

import environ
import pytest
import redis
from django.core.cache import caches

from core.caching import SHARED, data_version, render_once, stamped_key

CACHE_URL = "redis://127.0.0.1:6379/6"  # the tests' own Redis database


def test_a_redis_url_gives_djangos_redis_backend():
    config = environ.Env.cache_url_config(CACHE_URL)
    assert config == {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}


@pytest.fixture
def redis_shared_cache(settings):
    try:
        redis.Redis.from_url(CACHE_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError:
        pytest.skip(f"Redis does not answer at {CACHE_URL}")
    settings.CACHES = {**settings.CACHES, SHARED: environ.Env.cache_url_config(CACHE_URL)}
    caches[SHARED].clear()
    yield caches[SHARED]
    caches[SHARED].clear()


def test_the_data_version_and_a_rendered_pdf_live_in_redis(redis_shared_cache):
    version = data_version()
    assert redis_shared_cache.get("spaser:data-version") == version
    rendered = []

    def render() -> bytes:
        rendered.append(1)
        return b"%PDF-1.7 bilan"

    key = stamped_key("bilan-pdf", 1, 2025)
    assert render_once(key, render, alias=SHARED) == b"%PDF-1.7 bilan"
    assert render_once(key, render, alias=SHARED) == b"%PDF-1.7 bilan" and len(rendered) == 1
    assert redis.Redis.from_url(CACHE_URL).keys("*spaser:data-version")  # really stored in Redis
