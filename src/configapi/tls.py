"""TLS for every listener: one certificate chain and key, PEM files, for gRPC and HTTP alike.

Serving TLS directly is optional; behind a TLS-terminating proxy the listeners stay plain
(README "TLS"). A standalone gateway that calls a TLS upstream trusts the CA given to it.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import grpc


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
            raise ValueError("--tls-cert and --tls-key go together: give both or neither")
        for path in (cert, key):
            if not path.is_file():
                raise ValueError(f"TLS file {path} does not exist")
        try:  # checked here: grpc would only say that it could not bind the port
            ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert, key)
        except ssl.SSLError as error:
            message = f"TLS files {cert} and {key} are not a PEM chain and its key: {error}"
            raise ValueError(message) from None
        return cls(cert, key)

    def grpc_credentials(self) -> grpc.ServerCredentials:
        """Server credentials for `add_secure_port`."""
        return grpc.ssl_server_credentials([(self.key.read_bytes(), self.cert.read_bytes())])


def grpc_channel_credentials(ca: Path) -> grpc.ChannelCredentials:
    """Client credentials that trust the certificates in `ca` (PEM)."""
    return grpc.ssl_channel_credentials(root_certificates=ca.read_bytes())
