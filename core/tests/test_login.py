from datetime import timedelta

from django.contrib.auth.hashers import identify_hasher
from django.test import override_settings
from django.utils import timezone

from core.choices import AuditAction
from core.models import AuditEntry, User
from core.testing import PersonaTestCase


class LoginTests(PersonaTestCase):
    def post_login(self, password, username="enterprise"):
        return self.client.post("/accounts/login/", {"username": username, "password": password})

    def test_passwords_are_stored_with_argon2(self):
        self.assertEqual(identify_hasher(self.enterprise.password).algorithm, "argon2")

    def test_right_password_logs_in_and_is_audited(self):
        response = self.post_login(self.password)
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertTrue(
            AuditEntry.objects.filter(action=AuditAction.LOGIN, actor=self.enterprise).exists()
        )

    def test_wrong_password_says_so_in_chinese(self):
        response = self.post_login("wrong-password-1")
        self.assertContains(response, "用户名或密码错误。")

    def test_five_failures_lock_the_account_even_for_the_right_password(self):
        for _ in range(5):
            self.post_login("wrong-password-1")
        user = User.objects.get(pk=self.enterprise.pk)
        self.assertTrue(user.is_locked)
        response = self.post_login(self.password)
        self.assertContains(response, "登录失败次数过多，账号已锁定")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertTrue(
            AuditEntry.objects.filter(action=AuditAction.LOCKED, object_id=str(user.pk)).exists()
        )

    def test_four_failures_do_not_lock(self):
        for _ in range(4):
            self.post_login("wrong-password-1")
        response = self.post_login(self.password)
        self.assertEqual(response.status_code, 302)

    def test_lock_ends_after_fifteen_minutes(self):
        User.objects.filter(pk=self.enterprise.pk).update(
            locked_until=timezone.now() - timedelta(seconds=1)
        )
        response = self.post_login(self.password)
        self.assertEqual(response.status_code, 302)

    def test_api_token_login_obeys_the_same_lock(self):
        User.objects.filter(pk=self.enterprise.pk).update(
            locked_until=timezone.now() + timedelta(minutes=15)
        )
        response = self.client.post(
            "/api/auth/token/", {"username": "enterprise", "password": self.password}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["code"], "locked")

    def test_api_token_works_for_the_api(self):
        response = self.client.post(
            "/api/auth/token/", {"username": "enterprise", "password": self.password}
        )
        token = response.json()["token"]
        me = self.client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")
        self.assertEqual(me.json()["username"], "enterprise")
        self.assertEqual(me.json()["role"], "enterprise")

    def test_admin_login_obeys_the_same_lock(self):
        User.objects.filter(pk=self.city_admin.pk).update(
            locked_until=timezone.now() + timedelta(minutes=15)
        )
        response = self.client.post(
            "/admin/login/?next=/admin/", {"username": "city_admin", "password": self.password}
        )
        self.assertContains(response, "登录失败次数过多，账号已锁定")

    @override_settings(SESSION_IDLE_TIMEOUT=timedelta(minutes=30))
    def test_idle_session_is_logged_out(self):
        self.login(self.enterprise)
        self.client.get("/accounts/profile/")
        session = self.client.session
        session["last_activity"] -= 31 * 60
        session.save()
        response = self.client.get("/accounts/profile/")
        self.assertRedirects(
            response, "/accounts/login/?next=/accounts/profile/", fetch_redirect_response=False
        )
        follow = self.client.get(response.url)
        self.assertContains(follow, "已自动退出")

    @override_settings(SESSION_IDLE_TIMEOUT=timedelta(minutes=30))
    def test_activity_keeps_the_session_alive_without_writing_it_on_every_page(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.login(self.enterprise)
        self.client.get("/accounts/profile/")
        with CaptureQueriesContext(connection) as queries:
            self.client.get("/accounts/profile/")
        self.assertFalse([q for q in queries if 'UPDATE "django_session"' in q["sql"]])
        session = self.client.session
        session["last_activity"] -= 29 * 60  # idle 29 minutes: still signed in, and renewed
        session.save()
        self.assertEqual(self.client.get("/accounts/profile/").status_code, 200)
        self.assertGreater(self.client.session["last_activity"], session["last_activity"])

    def test_weak_password_is_refused_when_changing(self):
        self.login(self.enterprise)
        response = self.client.post(
            "/accounts/password/",
            {
                "old_password": self.password,
                "new_password1": "abcdefghijk",
                "new_password2": "abcdefghijk",
            },
        )
        self.assertContains(response, "密码必须同时包含字母和数字。")


@override_settings(LOGIN_IP_MAX_FAILURES=4)
class AddressRateLimitTests(PersonaTestCase):
    """Trying one password on many accounts from one address: the per-account lock-out never
    triggers, the address's limit does."""

    def attempt(self, username, password, address="203.0.113.7", **extra):
        return self.client.post(
            "/accounts/login/",
            {"username": username, "password": password},
            REMOTE_ADDR=address,
            **extra,
        )

    def spray(self, address="203.0.113.7", **extra):
        for username in ["enterprise", "institute", "nobody-here", "expert"]:
            self.attempt(username, "Spring2026!", address, **extra)

    def test_an_address_that_failed_on_many_accounts_waits_even_with_a_right_password(self):
        self.spray()
        response = self.attempt("enterprise", self.password)
        self.assertContains(response, "此网络地址登录失败次数过多，请于")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertFalse(User.objects.get(pk=self.enterprise.pk).is_locked)  # no account locked
        elsewhere = self.attempt("enterprise", self.password, address="198.51.100.2")
        self.assertEqual(elsewhere.status_code, 302)

    def test_the_address_may_try_again_once_its_failures_leave_the_window(self):
        from core.models import LoginFailure

        self.spray()
        LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=16))
        self.assertEqual(self.attempt("enterprise", self.password).status_code, 302)

    def test_the_api_token_answers_429_in_the_error_shape(self):
        self.spray()
        response = self.client.post(
            "/api/auth/token/",
            {"username": "enterprise", "password": self.password},
            REMOTE_ADDR="203.0.113.7",
        )
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response.json()["code"], "address_blocked")
        self.assertIn("此网络地址登录失败次数过多", response.json()["message"])

    @override_settings(PROXY_HOPS=1)
    def test_behind_one_proxy_the_client_is_the_address_the_proxy_saw(self):
        # Every request comes from the proxy (10.0.0.2); what the client wrote on the left of
        # X-Forwarded-For is not believed.
        self.spray(address="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
        blocked = self.attempt(
            "enterprise",
            self.password,
            address="10.0.0.2",
            HTTP_X_FORWARDED_FOR="8.8.8.8, 203.0.113.7",
        )
        self.assertContains(blocked, "此网络地址登录失败次数过多")
        other_client = self.attempt(
            "enterprise", self.password, address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.2"
        )
        self.assertEqual(other_client.status_code, 302)
