"""Pages in Debian's Chromium (the `chromium` and `page` fixtures are in tests/conftest.py)."""
