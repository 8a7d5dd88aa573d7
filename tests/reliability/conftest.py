"""Fixtures for reliability tests: the integration suite's in-process servers and clients
(real servers on port 0, each scenario over gRPC and REST), reused as they are."""

from tests.integration.conftest import (  # noqa: F401 - fixtures, registered by import
    connect_to,
    default_database,
    make_world,
    start_server,
    transport,
    world,
)
