"""What the operability tests share: a self-signed certificate, scraping and parsing metrics,
reading request lines, and gRPC stubs with a token."""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from prometheus_client.parser import text_string_to_metric_families


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for localhost and 127.0.0.1, and its key (PEM files)."""

    cert: Path
    key: Path

    def client_context(self) -> ssl.SSLContext:
        """An HTTPS client context that trusts this certificate only."""
        return ssl.create_default_context(cafile=str(self.cert))


def self_signed_certificate(
    directory: Path,
    *,
    valid_from: datetime.datetime | None = None,
    valid_until: datetime.datetime | None = None,
) -> Certificate:
    """Make a certificate as an operator would for a test install (README "TLS"); valid from an
    hour ago for a day unless told otherwise."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    valid_from = valid_from or now - datetime.timedelta(hours=1)
    valid_until = valid_until or now + datetime.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_until)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "tls.crt", directory / "tls.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Certificate(cert_path, key_path)


def samples(exposition: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus text exposition: (name, labels) → value."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def sample(
    exposition: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    """The value of one sample (0 when absent, as Prometheus reads a series not yet seen)."""
    return exposition.get((name, frozenset(labels.items())), 0.0)


def request_lines(lines: list[str]) -> list[dict[str, Any]]:
    """The JSON request lines among written log lines, parsed."""
    parsed = [json.loads(line) for line in lines]
    return [line for line in parsed if line.get("logger") == "configapi.access"]
