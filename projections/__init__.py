"""Projections: read models derived from the event log.

``engine`` holds the projection protocol and the checkpointed batch transaction, ``runner`` the worker loop and
ownership (leases / advisory locks), ``replay`` the rebuild and as-of builds, and one module per read model
(``people``, ``transcript``). ``registry`` names them (``"transcript@v1"``).
"""
