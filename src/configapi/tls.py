"""TLS for every listener: one certificate chain and key, PEM files, for gRPC and HTTP alike.

Serving TLS directly is optional; behind a TLS-terminating proxy the listeners stay plain
(README "TLS"). A standalone gateway that calls a TLS upstream trusts the CA given to it.

A certificate of the chain that has expired, or is not valid yet, is refused at start
(DESIGN rule 7): every client would refuse it anyway, with an error far from its cause.
"""

from __future__ import annotations

import base64
import re
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import grpc

from configapi.settings import SettingError

_PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.DOTALL
)


@dataclass(frozen=True)
class TlsFiles:
    """A PEM certificate chain and its PEM private key."""

    cert: Path
    key: Path

    @classmethod
    def from_options(cls, cert: Path | None, key: Path | None) -> TlsFiles | None:
        """Both files, or neither (no TLS); one without the other is a mistake."""
        if cert is None and key is None:
            return None
        if cert is None or key is None:
            raise SettingError("--tls-cert and --tls-key go together: give both or neither")
        for path in (cert, key):
            if not path.is_file():
                raise SettingError(f"TLS file {path} does not exist")
        try:  # checked here: grpc would only say that it could not bind the port
            ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert, key)
        except ssl.SSLError as error:
            message = f"TLS files {cert} and {key} are not a PEM chain and its key: {error}"
            raise SettingError(message) from None
        check_validity(cert, datetime.now(UTC))
        return cls(cert, key)

    def grpc_credentials(self) -> grpc.ServerCredentials:
        """Server credentials for `add_secure_port`."""
        return grpc.ssl_server_credentials([(self.key.read_bytes(), self.cert.read_bytes())])


def grpc_channel_credentials(ca: Path) -> grpc.ChannelCredentials:
    """Client credentials that trust the certificates in `ca` (PEM)."""
    return grpc.ssl_channel_credentials(root_certificates=ca.read_bytes())


def check_validity(chain: Path, now: datetime) -> None:
    """Refuse a chain with a certificate that has expired or is not valid yet at `now`."""
    blocks = _PEM_CERTIFICATE.findall(chain.read_bytes())
    for number, block in enumerate(blocks, start=1):
        which = f"TLS certificate {number} of {len(blocks)} in {chain}"
        try:
            not_before, not_after = certificate_validity(base64.b64decode(block))
        except (IndexError, ValueError):
            raise SettingError(f"{which}: cannot read its validity dates") from None
        if now < not_before:
            raise SettingError(f"{which} is not valid before {not_before:%Y-%m-%d %H:%M:%S} UTC")
        if now > not_after:
            raise SettingError(f"{which} expired on {not_after:%Y-%m-%d %H:%M:%S} UTC")


def certificate_validity(der: bytes) -> tuple[datetime, datetime]:
    """notBefore and notAfter of a DER X.509 certificate (RFC 5280 §4.1: Certificate →
    tbsCertificate → [version], serialNumber, signature, issuer, validity)."""
    tbs = _children(_children(der)[0][1])[0][1]
    fields = _children(tbs)
    if fields[0][0] == 0xA0:  # the explicit [0] version is optional (v1 certificates)
        fields = fields[1:]
    validity = _children(fields[3][1])
    return _time(*validity[0]), _time(*validity[1])


def _children(der: bytes) -> list[tuple[int, bytes]]:
    """The (tag, contents) of each DER element in `der`, one level deep."""
    elements = []
    offset = 0
    while offset < len(der):
        tag, length = der[offset], der[offset + 1]
        offset += 2
        if length & 0x80:  # long form: the next (length & 0x7F) bytes hold the length
            size = length & 0x7F
            length = int.from_bytes(der[offset : offset + size], "big")
            offset += size
        elements.append((tag, der[offset : offset + length]))
        offset += length
    return elements


def _time(tag: int, contents: bytes) -> datetime:
    """UTCTime (tag 0x17, YYMMDDHHMMSSZ) or GeneralizedTime (0x18, YYYYMMDDHHMMSSZ)."""
    text = contents.decode("ascii")
    if tag == 0x17:  # RFC 5280: YY >= 50 is 19YY, else 20YY
        text = ("19" if int(text[:2]) >= 50 else "20") + text
    return datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=UTC)
