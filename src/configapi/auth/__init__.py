"""Authentication and admission: bearer tokens, scopes, rate limits (SPEC §3)."""
