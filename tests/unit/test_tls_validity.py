"""The validity dates tls.py reads from a certificate's DER, against cryptography's reading:
UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)."""

from __future__ import annotations

import base64
import datetime
from pathlib import Path

import pytest
from cryptography import x509

from configapi.settings import SettingError
from configapi.tls import certificate_validity, check_validity
from tests.operability.support import self_signed_certificate

UTC = datetime.UTC
SPANS = {
    "UTCTime, 20th century": (datetime.datetime(1999, 12, 31, 23, 59, 58, tzinfo=UTC), 2049),
    "UTCTime to GeneralizedTime": (datetime.datetime(2049, 1, 2, 3, 4, 5, tzinfo=UTC), 2050),
    "GeneralizedTime": (datetime.datetime(2050, 6, 1, tzinfo=UTC), 2150),
}


def _der(pem: bytes) -> bytes:
    body = pem.split(b"-----")[2]
    return base64.b64decode(body)


@pytest.mark.parametrize(("valid_from", "until_year"), SPANS.values(), ids=SPANS.keys())
def test_validity_dates_are_read_as_cryptography_reads_them(
    tmp_path: Path, valid_from: datetime.datetime, until_year: int
) -> None:
    valid_until = datetime.datetime(until_year, 2, 3, 4, 5, 6, tzinfo=UTC)
    files = self_signed_certificate(tmp_path, valid_from=valid_from, valid_until=valid_until)
    der = _der(files.cert.read_bytes())
    reference = x509.load_der_x509_certificate(der)
    expected = (reference.not_valid_before_utc, reference.not_valid_after_utc)
    assert certificate_validity(der) == expected == (valid_from, valid_until)


def test_every_certificate_of_a_chain_is_checked(tmp_path: Path) -> None:
    now = datetime.datetime.now(UTC)
    (tmp_path / "current").mkdir()
    (tmp_path / "old").mkdir()
    current = self_signed_certificate(tmp_path / "current")
    old = self_signed_certificate(
        tmp_path / "old",
        valid_from=now - datetime.timedelta(days=9),
        valid_until=now - datetime.timedelta(days=1),
    )
    chain = tmp_path / "chain.pem"
    chain.write_bytes(current.cert.read_bytes() + old.cert.read_bytes())
    check_validity(current.cert, now)
    with pytest.raises(SettingError, match=r"TLS certificate 2 of 2 in .* expired on"):
        check_validity(chain, now)
