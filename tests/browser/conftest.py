"""Browser tier: pages opened in headless Chromium against a real ``lrs serve`` (see tests/chromium.py)."""
from tests.chromium import browser  # noqa: F401  (the fixture)
