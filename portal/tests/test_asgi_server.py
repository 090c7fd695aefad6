"""The Procfile's web server (gunicorn with uvicorn workers) on PostgreSQL: Django runs each request
in a thread of its own under ASGI, so connections kept per thread would pile up, one per request,
until PostgreSQL refuses new clients. Each process keeps a bounded pool instead."""

import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.helpers import BASE_DIR, PYTHON, child_env, free_port


@pytest.mark.django_db(transaction=True)
def test_the_web_server_holds_no_more_connections_than_its_pool():
    if connection.vendor != "postgresql":
        pytest.skip("connection pooling is PostgreSQL's (the suite runs on PostgreSQL in CI)")
    port = free_port()
    env = child_env(
        PORT=str(port), HOST="127.0.0.1", WEB_CONCURRENCY="1", DATABASE_POOL_MAX="3", PGAPPNAME="web-under-test"
    )
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "portal.asgi:application", "-c", "python:portal.gunicorn_conf",
         "--access-logfile", "/dev/null"],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/healthz"  # reads the database on every request

    def fetch(_):
        return urllib.request.urlopen(url, timeout=10).status  # noqa: S310 - loopback

    try:
        for _ in range(150):
            try:
                fetch(0)
                break
            except OSError:
                time.sleep(0.1)
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(fetch, range(120)))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'web-under-test'")
            (held,) = cursor.fetchone()
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert statuses == [200] * 120
    assert held <= 3, f"the web server holds {held} connections after 120 requests (pool of 3)"


def test_every_cache_object_of_a_process_shares_one_redis_pool():
    """Under ASGI each request gets cache objects of its own; they must not each open Redis
    connections (portal.cache_pools)."""
    from django.core.cache.backends.redis import RedisCache

    config = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/9",
        "OPTIONS": {"pool_class": "portal.cache_pools.SharedConnectionPool"},
    }
    one, two = RedisCache(config["LOCATION"], config), RedisCache(config["LOCATION"], config)
    # RedisCache has no public accessor for its client; its pool is what this test is about.
    assert one._cache.get_client(write=True).connection_pool is two._cache.get_client(write=True).connection_pool
    other = RedisCache("redis://127.0.0.1:6379/8", config)
    assert other._cache.get_client(write=True).connection_pool is not one._cache.get_client(write=True).connection_pool
