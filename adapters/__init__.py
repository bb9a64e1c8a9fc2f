"""Importers that turn other systems' attendance records into xAPI statements.

One module per source format (``zoom``, ``teams``, ``eventbrite``, ``google_forms``, ``generic`` for any CSV/XLSX with
a mapping), the shared reading (``files``, ``records``, ``options``), statement building (``statements``) and import
planning (``plan``); ``pull/`` holds the clients of check-in systems' HTTP APIs (Zoom, Eventbrite, Microsoft Graph).
Every importer produces ordinary statements stored through ``lrs.xapi.batch.prepare_batch`` and the statement store,
the same validation and write path as the HTTP API, with statement ids derived from the source rows so that
re-importing a file adds nothing.
"""
