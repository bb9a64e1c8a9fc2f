"""Importers that turn other systems' exports (attendance, check-ins, rosters) into xAPI statements.

One module per source. Every importer produces ordinary statements and stores them through
``lrs.xapi.batch.prepare_batch`` and the statement store, the same validation and write path as the HTTP API,
with statement ids derived from the source rows so that re-importing a file adds nothing.
"""
