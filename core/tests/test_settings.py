import os
import subprocess
import sys

from django.conf import settings
from django.test import SimpleTestCase


def start_with(**env) -> subprocess.CompletedProcess:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DATABASE_URL", "KECHUANG_DEBUG")
    }
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import kechuang.settings"],
        env=environ,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )


class SettingsTests(SimpleTestCase):
    def test_secret_key_is_required_outside_debug(self):
        result = start_with()
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY must be set", result.stderr)

    def test_bad_boolean_names_the_variable(self):
        result = start_with(KECHUANG_DEBUG="maybe")
        self.assertIn("KECHUANG_DEBUG='maybe' is not a boolean", result.stderr)

    def test_unsupported_database_is_refused(self):
        result = start_with(KECHUANG_DEBUG="true", DATABASE_URL="mysql://root@127.0.0.1/x")
        self.assertIn("DATABASE_URL must point at SQLite or PostgreSQL", result.stderr)

    def test_bad_number_is_refused(self):
        result = start_with(KECHUANG_DEBUG="true", KECHUANG_LOGIN_MAX_FAILURES="five")
        self.assertIn("KECHUANG_LOGIN_MAX_FAILURES='five' is not a whole number", result.stderr)

    def test_debug_starts_without_secret_key(self):
        self.assertEqual(start_with(KECHUANG_DEBUG="true").returncode, 0)
