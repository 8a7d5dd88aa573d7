"""The PostgreSQL schema and its migrations (SPEC §9 replicas), applied in order on open.

The same shape as the SQLite schema (storage/schema.py): resources of every kind in one table,
`seq` the keyset position. Names use the "C" collation so that the range `name/` … `name0`
holds exactly the names under `name` whatever the database's locale. Each migration runs in one
transaction under an advisory lock, so replicas starting together migrate once.
"""

from __future__ import annotations

import os
from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# a connection of its own or one lent by a pool: the same methods
Conn: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value BYTEA NOT NULL);
    CREATE TABLE resources (
        seq BIGSERIAL PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT COLLATE "C" NOT NULL UNIQUE,
        parent TEXT COLLATE "C" NOT NULL,
        data BYTEA NOT NULL
    );
    CREATE INDEX resources_by_parent ON resources (kind, parent, seq);
    CREATE TABLE access_tokens (
        seq BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        secret_hash BYTEA NOT NULL UNIQUE,
        data BYTEA NOT NULL
    );
    CREATE TABLE token_workspaces (
        token TEXT NOT NULL REFERENCES access_tokens (name) ON DELETE CASCADE,
        workspace TEXT NOT NULL,
        PRIMARY KEY (token, workspace)
    );
    -- rate-limit buckets (`--rate-limit-store database`): unlogged, since losing them in a
    -- crash only refills budgets
    CREATE UNLOGGED TABLE rate_buckets (
        key BYTEA PRIMARY KEY,
        tokens DOUBLE PRECISION NOT NULL,
        updated DOUBLE PRECISION NOT NULL
    );
    """,
)

_LOCK = 0x636F6E66  # pg_advisory_xact_lock key: "conf"


async def schema_version(conn: Conn) -> int:
    """The number of migrations applied (0 on an empty database)."""
    exists = await conn.fetchval("SELECT to_regclass('configapi_schema') IS NOT NULL")
    if not exists:
        return 0
    return int(await conn.fetchval("SELECT version FROM configapi_schema"))


async def migrate(conn: Conn) -> None:
    """Apply every migration newer than the database's version, each in a transaction."""
    for number in range(1, len(MIGRATIONS) + 1):
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK)
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS configapi_schema (version INTEGER NOT NULL)"
            )
            if await conn.fetchval("SELECT count(*) FROM configapi_schema") == 0:
                await conn.execute("INSERT INTO configapi_schema (version) VALUES (0)")
            if await schema_version(conn) >= number:
                continue  # another replica got there first
            await conn.execute(MIGRATIONS[number - 1])
            if number == 1:
                await conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('page_token_secret', $1)",
                    os.urandom(32),
                )
            await conn.execute("UPDATE configapi_schema SET version = $1", number)
