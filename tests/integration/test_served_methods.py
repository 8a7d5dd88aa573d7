"""Every method of the contract has a servicer: none is answered UNIMPLEMENTED."""

from __future__ import annotations

from pathlib import Path

from configapi.app import ConfigApiServer
from configapi.settings import Settings


async def test_every_contract_method_is_served(tmp_path: Path) -> None:
    server = ConfigApiServer(
        Settings(database=tmp_path / "db", grpc_address="127.0.0.1:0", http_address="")
    )
    await server.start()
    try:
        assert server.dispatcher.unserved() == []
    finally:
        await server.stop()
