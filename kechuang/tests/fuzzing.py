"""What the API fuzz test (test_api_fuzz.py) stands on: the schema as the app serves it, a
database of real records, a token per persona, path values that name real objects, the WSGI
app called in-process, and the check that every 4xx has the platform's error shape."""

from __future__ import annotations

import functools
import json
import re
from typing import TYPE_CHECKING, Any

from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import Resolver404, resolve
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from kechuang.wsgi import application

if TYPE_CHECKING:
    import schemathesis

CHINESE = re.compile(r"[\u4e00-\u9fff]")

# The demo logins (core/demo.py) are one user per role, like core.testing's personas; the fuzz
# acts as these, and anonymously.
PERSONAS = {
    "enterprise": "demo_enterprise",
    "institute": "demo_institute",
    "expert": "demo_expert",
    "broker": "demo_broker",
    "district_admin": "demo_district",
    "city_admin": "demo_city",
}


@functools.cache
def _rendered_schema() -> str:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return OpenApiJsonRenderer().render(document, renderer_context={}).decode()


def schema_document() -> dict[str, Any]:
    """The OpenAPI document exactly as /api/schema/ serves it (generated once per process)."""
    return json.loads(_rendered_schema())


def operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (METHOD, path) the document describes."""
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


class Fuzzer:
    """The schema loaded into schemathesis (imported only here: it is slow to import), how each
    persona authenticates, and the checks every answer must pass."""

    def __init__(self, document: dict[str, Any], tokens: dict[str, str]):
        import schemathesis
        from schemathesis.checks import not_a_server_error
        from schemathesis.specs.openapi import checks

        config = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})
        self.schema = schemathesis.openapi.from_dict(document, config=config)
        self.schema.app = application  # called in-process, on the test's connection
        self.schema.hook("flatmap_path_parameters")(real_path_parameters)
        self.modes = list(schemathesis.GenerationMode)
        self.tokens = tokens
        self.checks = [
            not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance,
            schemathesis.check(check_error_shape),
        ]

    def headers(self, persona: str | None) -> dict[str, str]:
        return {"Authorization": f"Token {self.tokens[persona]}"} if persona else {}

    def strategies(self, operation) -> list:
        """Valid and invalid requests alike: both must be answered without a server error."""
        return [operation.as_strategy(generation_mode=mode) for mode in self.modes]

    def check(self, case, headers: dict[str, str]) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=self.checks, headers=headers)


class keep_connection:
    """While fuzzing, requests must not close the test's database connection, which holds the
    transaction every test rolls back: Django's own test client unhooks the same handler."""

    def __enter__(self) -> None:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)

    def __exit__(self, *exc: object) -> None:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def tokens() -> dict[str, str]:
    """An API token for every persona (the users must exist)."""
    from core.models import User

    users = User.objects.filter(username__in=PERSONAS.values())
    by_name = {u.username: u for u in users}
    return {
        persona: Token.objects.get_or_create(user=by_name[username])[0].key
        for persona, username in PERSONAS.items()
    }


# Path parameter values that name real objects, filled once the data exists: path template →
# parameter → values. Strategies read it only when they draw.
REAL_VALUES: dict[str, dict[str, list[Any]]] = {}


def collect_real_values(paths: list[str]) -> None:
    """For each path with parameters, the lookup values of real objects of its view's model."""
    REAL_VALUES.clear()
    for template in paths:
        names = re.findall(r"{(\w+)}", template)
        if not names:
            continue
        first = names[0]
        probe = re.sub(r"{\w+}", "0", template)
        try:
            match = resolve(probe)
        except Resolver404:
            continue
        view = getattr(match.func, "cls", None)
        queryset = getattr(view, "queryset", None)
        if queryset is None:
            continue
        field = getattr(view, "lookup_field", "pk") or "pk"
        values = list(
            queryset.model._default_manager.order_by("pk").values_list(field, flat=True)[:30]
        )
        if values:
            REAL_VALUES[template] = {first: values}


def real_path_parameters(context: schemathesis.HookContext, path_parameters: dict[str, Any]):
    """Three draws in four name a real object (so GETs and actions reach the services), the
    fourth keeps what was generated (so unknown ids are fuzzed too)."""
    known = REAL_VALUES.get(context.operation.path if context.operation else "", {})
    if not known:
        return st.just(path_parameters)
    real = st.fixed_dictionaries({name: st.sampled_from(v) for name, v in known.items()})
    return st.sampled_from([True, True, True, False]).flatmap(
        lambda use_real: (
            real.map(lambda r: {**path_parameters, **r}) if use_real else st.just(path_parameters)
        )
    )


def check_error_shape(ctx, response, case) -> None:
    """Every 4xx answer is {code, message, errors} with a non-empty Chinese message."""
    if not 400 <= response.status_code < 500:
        return
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(
            f"{response.status_code} without a JSON body: {response.content[:200]!r}"
        ) from None
    assert isinstance(body, dict) and set(body) == {"code", "message", "errors"}, (
        f"{response.status_code} not in the error shape: {body!r}"
    )
    assert isinstance(body["code"], str) and body["code"], f"empty code: {body!r}"
    assert isinstance(body["message"], str) and CHINESE.search(body["message"]), (
        f"{response.status_code} message is not Chinese: {body['message']!r}"
    )
    assert isinstance(body["errors"], dict), f"errors is not a mapping: {body!r}"


def build_world() -> None:
    """Real records in every app: the demo data (small), plus what the small demo leaves out —
    transfer records and bridging matches."""
    from bridging.services import matches
    from core.demo import DemoResult, generate
    from core.models import User
    from core.services.jobs import Progress
    from resources.choices import RecordStatus
    from resources.models import Achievement, Demand
    from transfer.demo import transfer_demo

    generate(seed=1, scale="small")
    institute = User.objects.get(username="demo_institute").current_membership.organisation
    published = Achievement.objects.filter(is_demo=True, status=RecordStatus.PUBLISHED)
    for achievement in published.exclude(owner=institute).order_by("pk")[:3]:
        achievement.owner, achievement.region = institute, institute.region
        achievement.save(update_fields=["owner", "region"])
    transfer_demo(1, "small", Progress(), DemoResult())

    city = User.objects.get(username="demo_city")
    demands = Demand.objects.filter(status=RecordStatus.PUBLISHED).order_by("pk")[:2]
    for demand, achievement in zip(demands, published.order_by("pk")[:2], strict=False):
        matches.create_match(city, demand, achievement, explanation="示例对接")
