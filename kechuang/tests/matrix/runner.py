"""Runs one table of the matrix: every endpoint × target × persona, as a subTest each.

A cell is one persona opening one URL on one object (GET), or one write method sent there.
What each persona should get comes from the endpoint's rules, which ask the permission service:
- allowed to read: 200;
- not allowed: 403 or 404 when signed in; anonymous, a redirect to the login page (pages) or
  401/403/404 (API); never 200 and never 500;
- writes of a persona the rule does not allow: 403/404/405 (a page may instead send the user
  back with an error message), and the target's row and the audit trail are the same
  afterwards. Writes of allowed personas must not be refused (403/404) nor fail (500);
- a list given a `secret` shows it exactly to the personas its `shows` rule allows.
Every write is rolled back, so every cell starts from the same data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from core.models import AuditEntry
from kechuang.tests.matrix.spec import Endpoint

PERSONAS = (
    "anonymous",
    "public",
    "enterprise",
    "other_enterprise",
    "institute",
    "expert",
    "broker",
    "district_admin",
    "city_admin",
    "leader",
)
SIGNED_IN_REFUSALS = {403, 404}
API_ANONYMOUS_REFUSALS = {401, 403, 404}
WRITE_REFUSALS = {403, 404, 405}
# A URL that only answers writes is read (GET) by these two only: it must not answer anyone,
# which the visitor and the most privileged persona show; its writes are probed for everyone.
WRITE_ONLY_READERS = ("anonymous", "city_admin")


@dataclass
class Cell:
    name: str
    target: str
    persona: str
    method: str

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.name}[{self.target}] as {self.persona}"


def endpoints(table: dict) -> list[tuple[str, Endpoint]]:
    out = []
    for name, spec in table.items():
        for endpoint in spec if isinstance(spec, list) else [spec]:
            out.append((name, endpoint))
    return out


def cell_count(table: dict) -> int:
    total = 0
    for _name, e in endpoints(table):
        readers = (len(PERSONAS) if e.get else len(WRITE_ONLY_READERS)) if e.reads else 0
        total += (readers + len(PERSONAS) * len(e.methods)) * max(1, len(e.targets))
    return total


class MatrixMixin:
    """For a PersonaTestCase whose setUpTestData put the matrix data on `cls.d`."""

    def _clients(self) -> dict[str, tuple[object, Client]]:
        """One test client per persona, sharing one request handler: building a handler loads
        the middleware, and WhiteNoise's scan of the static files alone takes most of a second."""
        shared = Client(raise_request_exception=False)
        shared.get("/")  # loads the handler's middleware once
        clients = {}
        for persona in PERSONAS:
            client = Client(raise_request_exception=False)
            client.handler = shared.handler
            if persona == "anonymous":
                user = AnonymousUser()
            else:
                user = getattr(self, persona)
                client.force_login(user)
            clients[persona] = (user, client)
        return clients

    def run_matrix(self, table: dict) -> int:
        clients = self._clients()
        cells = 0
        for name, endpoint in endpoints(table):
            for target_name in endpoint.targets or (None,):
                obj = getattr(self.d, target_name) if target_name else None
                url = reverse(name, kwargs=endpoint.args(obj, self.d))
                for persona, (user, client) in clients.items():
                    if endpoint.reads and (endpoint.get or persona in WRITE_ONLY_READERS):
                        cells += self._read_cell(
                            name, endpoint, target_name, obj, url, user, client
                        )
                    for method in endpoint.methods:
                        cells += 1
                        cell = Cell(name, target_name or "-", persona, method)
                        with self.subTest(cell=str(cell)):
                            self._write_cell(cell, endpoint, obj, url, user, client)
        return cells

    def _read_cell(self, name, endpoint, target_name, obj, url, user, client) -> int:
        persona = getattr(user, "username", "") or "anonymous"
        cell = Cell(name, target_name or "-", persona, "get")
        api = url.startswith("/api/")
        with self.subTest(cell=str(cell)):
            query = endpoint.query.format(o=obj, d=self.d)
            response = client.get(url + (f"?{query}" if query else ""))
            status = response.status_code
            self.assertNotEqual(status, 500, f"{cell}: server error")
            if not endpoint.get:
                # An API action checks permissions before the method, so 403/404 come first.
                allowed = {405, 403, 404} if user.is_authenticated else {405, 401, 403, 404}
                if not user.is_authenticated and not api and status == 302:
                    self._assert_login_redirect(cell, response)
                else:
                    self.assertIn(status, allowed, f"{cell}: a write-only URL answered a GET")
                return 1
            if endpoint.see(user, obj, self.d):
                self.assertEqual(
                    status, endpoint.ok, f"{cell}: {endpoint.see} grants it, got {status}"
                )
                if endpoint.shows is not None:
                    secret = endpoint.secret(obj, self.d)
                    shown = secret in response.content.decode()
                    self.assertEqual(
                        shown,
                        endpoint.shows(user, obj, self.d),
                        f"{cell}: the list {'shows' if shown else 'hides'} {secret!r} "
                        f"(rule: {endpoint.shows})",
                    )
                return 1
            self._assert_refused(cell, response, api, user, set(endpoint.refused))
        return 1

    def _assert_refused(self, cell, response, api, user, extra: set[int]) -> None:
        status = response.status_code
        if status in extra:
            return
        if user.is_authenticated:
            self.assertIn(status, SIGNED_IN_REFUSALS, f"{cell}: should be refused, got {status}")
        elif api:
            self.assertIn(status, API_ANONYMOUS_REFUSALS, f"{cell}: should be refused")
        elif status == 302:
            self._assert_login_redirect(cell, response)
        else:
            self.assertIn(status, SIGNED_IN_REFUSALS, f"{cell}: should be refused, got {status}")

    def _assert_login_redirect(self, cell, response) -> None:
        login = resolve_url(settings.LOGIN_URL)
        self.assertTrue(
            response["Location"].startswith(login),
            f"{cell}: anonymous sent to {response['Location']}, not to the login page",
        )

    def _write_cell(self, cell: Cell, endpoint: Endpoint, obj, url, user, client) -> None:
        payload = endpoint.payload(obj, self.d) if callable(endpoint.payload) else endpoint.payload
        api = url.startswith("/api/")
        rows = [getattr(self.d, n) for n in endpoint.rows] if endpoint.rows else [obj]
        rows = [r for r in rows if r is not None]
        allowed = endpoint.writer(user, obj, self.d)
        with transaction.atomic():
            before = self._snapshot(rows)
            if any(hasattr(v, "read") for v in payload.values()):
                for value in payload.values():
                    if hasattr(value, "seek"):
                        value.seek(0)
                response = client.post(url, payload)  # a file goes as multipart/form-data
            elif api:
                response = client.generic(
                    cell.method.upper(),
                    url,
                    json.dumps(payload, default=str),
                    content_type="application/json",
                )
            else:
                response = client.generic(
                    cell.method.upper(),
                    url,
                    urlencode(payload, doseq=True),
                    "application/x-www-form-urlencoded",
                )
            after = self._snapshot(rows)
            transaction.set_rollback(True)
        client.cookies.pop("messages", None)
        status = response.status_code
        self.assertNotEqual(status, 500, f"{cell}: server error")
        if allowed:
            self.assertNotIn(
                status, SIGNED_IN_REFUSALS, f"{cell}: {endpoint.writer} grants it, got {status}"
            )
            return
        self.assertEqual(before, after, f"{cell}: a refused write changed data")
        if status in WRITE_REFUSALS or status in endpoint.refused:
            return
        if not user.is_authenticated:
            if api:
                self.assertIn(status, API_ANONYMOUS_REFUSALS, f"{cell}: should be refused")
            else:
                self.assertEqual(status, 302, f"{cell}: should be sent to log in, got {status}")
                self._assert_login_redirect(cell, response)
            return
        if not api and status == 302:
            errors = [
                m
                for m in getattr(response.wsgi_request, "_messages", [])
                if m.level >= messages.ERROR
            ]
            self.assertTrue(errors, f"{cell}: redirected without saying the write was refused")
            return
        self.fail(f"{cell}: should be refused (403/404/405), got {status}")

    def _snapshot(self, rows) -> list:
        """The rows' stored values and the length of the audit trail (every change the
        platform makes leaves an audit entry, so a refused write must not add one)."""
        snap = [AuditEntry.objects.count()]
        for row in rows:
            snap.append(type(row)._default_manager.filter(pk=row.pk).values().first())
        return snap
