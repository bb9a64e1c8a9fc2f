"""Attendance from outside the xAPI API: exports imported as files, and check-in systems pulled over HTTP.

The parsing and planning are pure (:mod:`adapters`, :mod:`adapters.pull`); this package connects them to the
store: the roster the rows are matched against (:mod:`lrs.imports.roster`), what earlier imports stored
(:mod:`lrs.imports.stored`), one import as one append (:mod:`lrs.imports.attendance`) and one pull as one append
with its cursor (:mod:`lrs.imports.pull`). The CLI (``lrs import attendance``, ``lrs pull``) and the HTTP API
(``POST /api/v1/imports/attendance``) are thin over these.
"""
