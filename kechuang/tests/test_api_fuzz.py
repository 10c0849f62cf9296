"""The OpenAPI schema fuzzed with schemathesis: every operation, anonymously and as each
persona, against a database of real records. No answer may be a server error, every answer
must match what the schema documents, and every 4xx must carry the platform's error shape
{code, message, errors} with a Chinese message.

Bounded for CI: a fixed seed per operation, derandomised generation and a few examples per
operation, each sent as a persona drawn with it. A failure prints the request as a curl command
and names the persona.
"""

from __future__ import annotations

import re
import zlib

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, note, seed, settings
from hypothesis import strategies as st

from kechuang.tests import fuzzing

pytestmark = pytest.mark.slow

SEED = 20260101
MAX_EXAMPLES = 8
PERSONAS = [None, *fuzzing.PERSONAS]  # None: anonymous

DOCUMENT = fuzzing.schema_document()


@pytest.fixture(scope="module")
def api(django_db_setup, django_db_blocker, tmp_path_factory):
    """The data every operation is fuzzed against, built once for the module in a transaction
    that is rolled back at its end; each test rolls back its own changes inside it."""
    media = tmp_path_factory.mktemp("fuzz-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with fuzzing.keep_connection(), transaction.atomic():
            fuzzing.build_world()
            fuzzing.collect_real_values(list(DOCUMENT["paths"]))
            yield fuzzing.Fuzzer(DOCUMENT, fuzzing.tokens())
            transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    fuzzing.operations(DOCUMENT),
    ids=lambda v: re.sub(r"[{}]", "", v.strip("/")),
)
def test_operation(api, method, path):
    operation = api.schema[path][method]

    @seed(zlib.crc32(f"{SEED} {method} {path}".encode()))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(api.strategies(operation)), persona=st.sampled_from(PERSONAS))
    def fuzz(case, persona):
        note(f"persona: {persona or 'anonymous'}")
        api.check(case, api.headers(persona))

    fuzz()
