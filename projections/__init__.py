"""Projections: read models derived from the event log.

``engine/`` holds the projection protocol, generations and the checkpointed batch transaction; ``runner`` the worker
loop and ownership (leases / advisory locks); ``replay`` rebuilds and as-of builds; ``registry`` names the read models
(``"transcript@v1"``); ``readers`` what every read model reads off a statement; ``scope`` which generation a request
reads. One package per read model: ``people/``, ``transcript/``, ``compliance/``, ``evaluation/`` (rules as pure
functions, the projection, its tables and queries).
"""
