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
