"""The six services of SPEC §7: validation and rules, over the repository protocol.

Each servicer has one async method per RPC, named as the RPC, taking the request message and
the admitted `Caller`; the dispatcher calls them after the policy layer has run.
"""
