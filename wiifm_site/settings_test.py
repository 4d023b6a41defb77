"""Settings for the test suite: production settings with test conveniences.

DEBUG stays off, as in production, so the suite exercises the real security
settings; only plain HTTP is allowed, since the test client and the live server
speak HTTP. The production defaults themselves are tested in
tests/test_settings.py, by importing the settings module in a fresh process.
"""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("WIIFM_ALLOW_HTTP", "1")
os.environ.setdefault("DEBUG", "0")

from wiifm_site.settings import *  # noqa: F403

# Fast hashing: the suite creates many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# No manifest needed: tests do not run collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Each test starts with an empty cache of its own process.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tasks are recorded, not run: tests run them explicitly.
TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
# PDF renders on a busy test machine may be slow: no render limit trips by
# chance (the tests of the limits set their own).
WIIFM_PDF_SECONDS = 600
WIIFM_PDF_WALL_SECONDS = 1200
WIIFM_PDF_INLINE_SECONDS = 600
