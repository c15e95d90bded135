"""``altlas serve``: flag checks in-process, and real server processes (TLS, mTLS, workers)."""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

pytest.importorskip("litestar")

from altlas.cli import serve as serve_cli
from altlas.cli._common import AltlasGroup
from altlas.server.accounts import AccountStore
from altlas.server.process import ServerProcess


def invoke(*args: str):
    app = typer.Typer(cls=AltlasGroup)
    serve_cli.register(app)
    app.command("noop", hidden=True)(lambda: None)
    return CliRunner().invoke(app, ["serve", *args], catch_exceptions=False)


def test_tls_flags_must_come_together(tmp_path: Path) -> None:
    cert = tmp_path / "c.pem"
    cert.write_text("x")
    alone = invoke("--tls-cert", str(cert), "--port", "1")
    assert alone.exit_code == 2 and "go together" in alone.output
    ca_only = invoke("--tls-client-ca", str(cert), "--port", "1")
    assert ca_only.exit_code == 2 and "mTLS" in ca_only.output
    missing = invoke("--tls-cert", str(tmp_path / "no.pem"), "--tls-key", str(cert))
    assert missing.exit_code == 2 and "no such file" in missing.output


@pytest.mark.parametrize("store", ["runs.db", "queue.db", "analytics.db", "auth.db"])
def test_a_damaged_store_stops_serve_in_one_line(altlas_home: Path, store: str) -> None:
    """Before uvicorn starts: inside its lifespan this was a 70-line traceback and exit 3."""
    from altlas.cli._common import exit_code_for
    from altlas.errors import CorruptError

    (altlas_home / store).write_bytes(b"not a database" * 600)
    result = invoke("--host", "127.0.0.1", "--port", "1")
    assert result.exit_code == exit_code_for(CorruptError), result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and store in lines[0], result.output
    assert "Traceback" not in result.output


def test_help_lists_the_options() -> None:
    out = invoke("--help").output
    for flag in (
        "--host",
        "--port",
        "--workers",
        "--redis",
        "--tls-cert",
        "--tls-key",
        "--tls-client-ca",
    ):
        assert flag in out


# -- real processes ---------------------------------------------------------------------


def _pki(tmp_path: Path) -> dict[str, Path]:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, all made here."""
    from ipaddress import ip_address

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def write_key(key, path: Path) -> Path:
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return path

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("altlas test CA"))
        .issuer_name(name("altlas test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )

    def leaf(cn: str, usage, san=None):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(cn))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if san is not None:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return key, builder.sign(ca_key, hashes.SHA256())

    server_key, server = leaf(
        "127.0.0.1", ExtendedKeyUsageOID.SERVER_AUTH, [x509.IPAddress(ip_address("127.0.0.1"))]
    )
    client_key, client = leaf("client", ExtendedKeyUsageOID.CLIENT_AUTH)
    out = {
        "ca": tmp_path / "ca.pem",
        "server_cert": tmp_path / "server.pem",
        "server_key": write_key(server_key, tmp_path / "server.key"),
        "client_cert": tmp_path / "client.pem",
        "client_key": write_key(client_key, tmp_path / "client.key"),
    }
    out["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    out["server_cert"].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    out["client_cert"].write_bytes(client.public_bytes(serialization.Encoding.PEM))
    return out


def _context(pki: dict[str, Path], with_client_cert: bool) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(pki["ca"]))
    if with_client_cert:
        ctx.load_cert_chain(str(pki["client_cert"]), str(pki["client_key"]))
    return ctx


@pytest.mark.slow
def test_mtls_requires_a_client_certificate(tmp_path: Path, altlas_home: Path) -> None:
    pki = _pki(tmp_path)
    args = (
        "--tls-cert", str(pki["server_cert"]),
        "--tls-key", str(pki["server_key"]),
        "--tls-client-ca", str(pki["ca"]),
    )  # fmt: skip
    with ServerProcess(
        altlas_home, *args, scheme="https",
        client_options={"verify": _context(pki, with_client_cert=True)},
    ) as server:  # fmt: skip
        with httpx.Client(verify=_context(pki, with_client_cert=True)) as client:
            response = client.get(server.url + "/health")
        assert response.status_code == 200
        assert response.headers["strict-transport-security"].startswith("max-age=")
        with (
            httpx.Client(verify=_context(pki, with_client_cert=False)) as client,
            pytest.raises(httpx.HTTPError),
        ):
            client.get(server.url + "/health").raise_for_status()
        with httpx.Client() as plain, pytest.raises(httpx.HTTPError):
            plain.get(server.url.replace("https", "http") + "/health")


@pytest.mark.slow
def test_tls_without_client_ca_accepts_any_client(tmp_path: Path, altlas_home: Path) -> None:
    pki = _pki(tmp_path)
    args = ("--tls-cert", str(pki["server_cert"]), "--tls-key", str(pki["server_key"]))
    verify = _context(pki, with_client_cert=False)
    with (
        ServerProcess(
            altlas_home, *args, scheme="https", client_options={"verify": verify}
        ) as server,
        httpx.Client(verify=verify) as client,
    ):
        assert client.get(server.url + "/health").status_code == 200


@pytest.mark.slow
def test_two_workers_share_one_signing_key(altlas_home: Path) -> None:
    with AccountStore(altlas_home) as store:
        _, key = store.create_key("w", "viewer")
    with ServerProcess(altlas_home, "--workers", "2") as server, httpx.Client() as client:
        statuses = {
            client.get(server.url + "/v1/auth/me", headers={"X-API-Key": key}).status_code
            for _ in range(20)
        }
        assert statuses == {200}
        metrics = client.get(server.url + "/metrics", headers={"X-API-Key": key})
        assert metrics.status_code == 403  # viewers may not read metrics
    keys_dir = altlas_home / "keys"
    assert [p.name for p in keys_dir.iterdir()] == ["jwt.key"]


@pytest.mark.slow
def test_serve_warns_when_there_is_no_account(altlas_home: Path) -> None:
    with ServerProcess(altlas_home) as server:
        pass
    assert "no users or API keys yet" in server.output()
