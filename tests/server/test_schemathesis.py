"""Schemathesis against the served OpenAPI document, bounded to fit in CI.

Generated requests (valid and deliberately invalid) must get documented statuses and never
a 500; then every operation is sent the classic bad inputs (no credentials, a garbage token,
an expired token, the wrong role, malformed and oversized bodies) and must answer with a
status its document lists, in the error envelope.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance
from tests.llm.fakes import OpenAIServer

from altlas.server.accounts import AccountStore
from altlas.server.process import ServerProcess
from altlas.server.signing import signing_key

pytestmark = pytest.mark.slow

MAX_BODY = 4096
USER = "schemathesis"
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    home: Path = tmp_path_factory.mktemp("schemathesis-home")
    # a real loopback model behind POST /v1/llm/chat, so generated chats are answered
    llm = OpenAIServer("fuzz").start()
    llm.reply = lambda body: "a fixed answer"  # generated messages may have no content
    (home / "config.toml").write_text(
        f'[llm]\nretries = 0\n[[llm.backends]]\nname = "fuzz"\n'
        f'base_url = "{llm.base_url}"\nmodel = "{llm.model}"\n'
    )
    with AccountStore(home) as store:
        keys = {role: store.create_key(role, role)[1] for role in ("admin", "operator", "viewer")}
        store.add_user(USER, PASSWORD, "admin")
    env = {
        "ALTLAS_SERVER__RATE_LIMITS_ENABLED": "false",
        "ALTLAS_SERVER__MAX_BODY_BYTES": str(MAX_BODY),
        "ALTLAS_SERVER__QUEUE_WORKERS": "1",
    }
    try:
        with ServerProcess(home, env=env) as server:
            yield server, keys, home
    finally:
        llm.stop()


@pytest.fixture(scope="module")
def operations(served):
    server, _, _ = served
    schema = schemathesis.openapi.from_url(server.url + "/schema/openapi.json")
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) > 20
    return found


BUDGET_SECONDS = 120.0
"""The whole generated run stops after this long (the per-operation examples are few)."""


def _exercise(operation, mode, server, key: str, failures: list[str], calls: list[int]):
    """A hypothesis test for one operation: each generated case is sent and checked."""
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=6,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case) -> None:
        calls.append(1)
        try:
            case.call_and_validate(
                base_url=server.url,
                headers={"X-API-Key": key},
                checks=[not_a_server_error, status_code_conformance],
                timeout=30,
            )
        except Exception as exc:  # collect, so one run reports every operation
            failures.append(f"{label}: {exc}")
            raise

    return label, exercise


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_get_documented_statuses_and_never_a_500(
    served, operations, mode
) -> None:
    server, keys, _ = served
    deadline = time.monotonic() + BUDGET_SECONDS
    failures: list[str] = []
    calls: list[int] = []
    exercised = 0
    for operation in operations:
        if time.monotonic() > deadline:
            break
        if operation.path.endswith("/events"):
            continue  # a stream that ends with the run; covered in test_runs
        label, exercise = _exercise(operation, mode, server, keys["admin"], failures, calls)
        exercised += 1
        try:
            exercise()
        except Unsatisfiable:
            # Nothing to get wrong: an operation without parameters or body has no invalid
            # form (GET /health), so negative mode has no cases for it.
            assert mode is GenerationMode.NEGATIVE, label
        except Exception as exc:  # recorded above, or a generation problem: report it too
            failures.append(f"{label}: {type(exc).__name__}")
    assert not failures, "\n\n".join(failures[:10])
    assert exercised == len(operations) - 1
    assert len(calls) >= 2 * exercised  # the operations were really called


def _documented(doc: dict, method: str, path: str) -> set[int]:
    return {int(code) for code in doc["paths"][path][method]["responses"]}


def _concrete(path: str) -> str:
    return path.replace("{", "x").replace("}", "")


def _expired_token(home: Path) -> str:
    past = datetime.now(UTC) - timedelta(hours=2)
    claims = {
        "sub": "nobody",
        "iat": int((past - timedelta(minutes=15)).timestamp()),
        "exp": int(past.timestamp()),
        "iss": "altlas",
        "aud": "altlas-api",
        "typ": "access",
    }
    return jwt.encode(claims, signing_key(home), algorithm="HS256")


def _assert_envelope(response: httpx.Response) -> None:
    body = response.json()
    assert body["error"]["status"] == response.status_code
    assert body["request_id"] == response.headers["x-request-id"]


def test_bad_credentials_roles_and_bodies_get_documented_errors(served) -> None:
    server, keys, home = served
    with httpx.Client(base_url=server.url, timeout=30) as client:
        doc = client.get("/schema/openapi.json").json()
        expired = _expired_token(home)
        checked = 0
        for path, item in doc["paths"].items():
            for method, operation in item.items():
                if method not in ("get", "post", "delete", "put", "patch"):
                    continue
                documented = _documented(doc, method, path)
                url = _concrete(path)
                public = operation.get("security") == []
                attempts: list[tuple[str, dict[str, str], bytes | None, set[int]]] = []
                if not public:
                    attempts += [
                        ("no credentials", {}, None, {401}),
                        ("garbage token", {"Authorization": "Bearer garbage"}, None, {401}),
                        ("expired token", {"Authorization": f"Bearer {expired}"}, None, {401}),
                        ("unknown key", {"X-API-Key": "altk_0000000000_" + "A" * 43}, None, {401}),
                    ]
                    if 403 in documented:
                        attempts.append(("viewer", {"X-API-Key": keys["viewer"]}, None, None))
                if method in ("post", "put", "patch"):
                    admin = {"X-API-Key": keys["admin"], "Content-Type": "application/json"}
                    # a route under a missing resource (a workspace) may answer 404 first
                    malformed = {400, 422, 200} | ({404} if "{" in path else set())
                    attempts += [
                        ("malformed body", admin, b'{"unterminated": ', malformed),
                        ("oversized body", admin, b"x" * (MAX_BODY * 4), {413}),
                    ]
                for what, headers, body, expected in attempts:
                    response = client.request(method.upper(), url, headers=headers, content=body)
                    where = f"{method.upper()} {path} with {what}"
                    assert response.status_code < 500, (where, response.text)
                    assert response.status_code in documented | {200}, (where, response.status_code)
                    if expected is not None:
                        assert response.status_code in expected, (where, response.status_code)
                    if response.status_code >= 400:
                        _assert_envelope(response)
                    checked += 1
        assert checked > 80


def _bearer_exercise(operation, server, token: str, statuses: list[tuple[str, int]], failures):
    """Like :func:`_exercise`, authenticated by a Bearer JWT. Generated credentials are
    dropped first: an ``X-API-Key`` header (the document's other scheme) wins over
    ``Authorization``, so a generated one would hide the token and turn every case into a
    401."""
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    @settings(
        max_examples=4,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case) -> None:
        generated = dict(case.headers or {})
        case.headers = {
            k: v for k, v in generated.items() if k.lower() not in ("x-api-key", "authorization")
        }
        try:
            response = case.call_and_validate(
                base_url=server.url,
                headers={"Authorization": f"Bearer {token}"},
                checks=[not_a_server_error, status_code_conformance],
                timeout=30,
            )
        except Exception as exc:
            failures.append(f"{label}: {exc}")
            raise
        statuses.append((label, response.status_code))

    return exercise


def test_generated_requests_with_a_bearer_token_walk_every_route(served, operations) -> None:
    server, _, _ = served
    with httpx.Client(base_url=server.url, timeout=30) as client:
        login = client.post("/v1/auth/token", json={"username": USER, "password": PASSWORD})
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
    deadline = time.monotonic() + BUDGET_SECONDS
    statuses: list[tuple[str, int]] = []
    failures: list[str] = []
    walked = set()
    for operation in operations:
        if time.monotonic() > deadline:
            break
        if operation.path.endswith("/events"):
            continue
        label = f"{operation.method.upper()} {operation.path}"
        try:
            _bearer_exercise(operation, server, token, statuses, failures)()
        except Unsatisfiable:
            pass
        except Exception as exc:
            failures.append(f"{label}: {type(exc).__name__}")
        walked.add(label)
    assert not failures, "\n\n".join(failures[:10])
    assert {"POST /v1/auth/token", "POST /v1/auth/refresh", "POST /v1/auth/logout"} <= walked
    protected = [code for label, code in statuses if "/auth/" not in label]
    assert protected, statuses
    # The token reached the server: protected routes answer something other than 401.
    unauthorized = sum(code == 401 for code in protected)
    assert unauthorized <= len(protected) // 10, sorted(set(statuses))
