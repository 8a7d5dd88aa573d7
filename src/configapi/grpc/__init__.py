"""The gRPC side: the policy layer, the dispatcher every call goes through, and the server."""
