# Browser fixtures shared by every app's browser tests.
from kechuang.browser import browser, personas  # noqa: F401
