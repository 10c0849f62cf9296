import os
import subprocess
import sys
from unittest import skipUnless

from django.conf import settings
from django.db import connection
from django.test import SimpleTestCase, TestCase


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

    def test_a_bad_planner_cost_is_refused(self):
        for value in ("fast", "nan", "0"):
            result = start_with(
                KECHUANG_DEBUG="true",
                DATABASE_URL="postgres://postgres@127.0.0.1:5432/x",
                KECHUANG_PG_RANDOM_PAGE_COST=value,
            )
            self.assertIn(
                f"KECHUANG_PG_RANDOM_PAGE_COST='{value}' must be a positive number", result.stderr
            )

    def test_a_cache_that_is_not_redis_or_a_negative_lifetime_is_refused(self):
        result = start_with(KECHUANG_DEBUG="true", KECHUANG_CACHE_URL="memcached://x:11211")
        self.assertIn("KECHUANG_CACHE_URL='memcached://x:11211' is not a Redis URL", result.stderr)
        result = start_with(KECHUANG_DEBUG="true", KECHUANG_SEARCH_CACHE_SECONDS="-5")
        self.assertIn("KECHUANG_SEARCH_CACHE_SECONDS=-5 is below the minimum of 0", result.stderr)

    def test_words_in_postgresql_are_refused_on_sqlite_with_the_way_out(self):
        result = start_with(
            KECHUANG_DEBUG="true",
            DATABASE_URL="sqlite:///var/x.sqlite3",
            KECHUANG_MATCH_LEXICAL="postgresql",
        )
        self.assertIn("set DATABASE_URL to a PostgreSQL database", result.stderr)
        result = start_with(KECHUANG_DEBUG="true", KECHUANG_MATCH_LEXICAL="elastic")
        self.assertIn(
            "KECHUANG_MATCH_LEXICAL='elastic' is not one of: index, postgresql", result.stderr
        )


class PlannerCostTests(TestCase):
    @skipUnless(connection.vendor == "postgresql", "a PostgreSQL setting")
    def test_postgresql_connections_plan_for_solid_state_storage(self):
        # Without it the catalog's full-text counts read every row instead of the GIN index.
        with connection.cursor() as cursor:
            cursor.execute("SHOW random_page_cost")
            self.assertEqual(cursor.fetchone()[0], "1.1")


def manage(*args, **env) -> subprocess.CompletedProcess:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DATABASE_URL", "KECHUANG_DEBUG")
    }
    environ.update({"SECRET_KEY": "production-like-secret-key-" + "x" * 40, **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=environ,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=300,
    )


class DeploymentCheckTests(SimpleTestCase):
    """What an operator runs before going live: both must come back clean."""

    def test_the_deployment_check_is_clean_in_production_settings(self):
        result = manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            KECHUANG_HTTPS="true",
            KECHUANG_ALLOWED_HOSTS="kc.example.cn",
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("System check identified no issues", result.stdout)

    def test_turning_off_hsts_for_subdomains_is_a_recorded_choice_not_a_warning(self):
        result = manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            KECHUANG_HTTPS="true",
            KECHUANG_ALLOWED_HOSTS="kc.example.cn",
            KECHUANG_HSTS_SUBDOMAINS="false",
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("1 silenced", result.stdout)

    def test_the_api_schema_generates_without_a_warning_and_validates(self):
        result = manage("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull)
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
