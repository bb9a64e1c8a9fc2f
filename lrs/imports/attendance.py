"""One attendance import: read the export, match the roster, plan against earlier imports, store as one append.

The same function serves ``lrs import attendance`` and ``POST /api/v1/imports/attendance``:

1. the options: the district's time zone and IRI base (``TIME_ZONE``, ``DISTRICT_IRI``), the mapping, ``--activity``;
2. ``read_attendance`` (an :class:`adapters.errors.ImportFileError` refuses the file: nothing is stored);
3. the roster (:func:`lrs.imports.roster.roster_lookup`) and the statements earlier imports stored about the
   file's sessions (:func:`lrs.imports.stored.prior_imports`);
4. ``plan_import``; every planned statement then goes through ``prepare_batch``, the one path every writer uses
   (a statement it refuses becomes a rejected row, with its lines, rather than a refused file);
5. unless it is a dry run or the plan has rejected rows (and no ``skip_invalid``): every statement in ONE
   append (``StatementStore.save_group(..., atomic=True)``: as many ``statements.stored`` events as the size of
   the import needs, one transaction, all or nothing).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

import yaml

from adapters.errors import MappingError
from adapters.options import ImportOptions, options_from_mapping
from adapters.plan import Held, ImportPlan, PlannedStatement, plan_as_json, plan_import, render_table
from adapters.records import Rejected
from adapters.registry import read_attendance
from adapters.statements import PriorStatement
from lrs.bootstrap import Services
from lrs.imports.roster import roster_lookup
from lrs.imports.stored import prior_imports
from lrs.store.statements import SaveRequest
from lrs.xapi.batch import prepare_batch
from lrs.xapi.errors import XAPIError

#: Statements per ``statements.stored`` event of an import (all of an import's events are one append).
EVENT_STATEMENTS = 5000
XAPI_VERSION = "1.0.3"


def district_options(settings: Mapping[str, Any]) -> ImportOptions:
    """Import options from the district's settings: ``TIME_ZONE`` (default UTC) and ``DISTRICT_IRI``."""
    base = str(settings.get("DISTRICT_IRI") or "https://district.example/xapi/")
    return ImportOptions(timezone=str(settings.get("TIME_ZONE") or "UTC"),
                         iri_base=base if base.endswith("/") else base + "/")


def mapping_from_text(text: str) -> dict[str, Any]:
    """A mapping given as YAML text (the HTTP form field); never read as a file name, whatever it holds."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"the mapping is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise MappingError("the mapping must be a YAML mapping (key: value lines)")
    return data


def importer_authority(settings: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The ``authority`` of statements an importer run from the command line stores (no credential is involved):
    an account ``<DISTRICT_IRI>importers`` / ``name``."""
    return {"objectType": "Agent", "name": f"lrs {name}",
            "account": {"homePage": district_options(settings).iri_base + "importers", "name": name}}


@dataclass(frozen=True)
class ImportRequest:
    """What to import and how: the format, ``--activity``, the loaded mapping, and the two switches."""

    format: str
    activity: str | None = None
    mapping: Mapping[str, Any] | None = None
    dry_run: bool = False
    skip_invalid: bool = False


@dataclass
class ImportOutcome:
    """A planned (and possibly written) import: the plan, what was written, and the verdict."""

    plan: ImportPlan
    request: ImportRequest
    written: bool = False
    stored: int = 0       # attended/registered statements written
    voided: int = 0       # voiding statements written

    @property
    def refused(self) -> bool:
        """Rows were rejected and ``skip_invalid`` was not given: nothing is (or would be) stored."""
        return not self.plan.valid and not self.request.skip_invalid

    @property
    def exit_code(self) -> int:
        """The CLI's status: 1 when rows were rejected without ``--skip-invalid``, else 0."""
        return 1 if self.refused else 0

    def as_json(self) -> dict[str, Any]:
        """The report as JSON data: the plan (statements included only in a dry run), then the verdict."""
        data = plan_as_json(self.plan)
        if not self.request.dry_run:
            for key in ("store", "void"):
                for item in data[key]:
                    item.pop("statement", None)
        data["dry_run"] = self.request.dry_run
        data["skip_invalid"] = self.request.skip_invalid
        data["written"] = {"stored": self.written, "statements": self.stored, "voiding": self.voided}
        data["outcome"] = self.verdict()
        return data

    def verdict(self) -> str:
        """One line: what happened (or would)."""
        plan = self.plan
        rejected = len(plan.rejected)
        if self.refused:
            return (f"{rejected} row{'s' if rejected != 1 else ''} rejected; nothing "
                    f"{'would be ' if self.request.dry_run else ''}stored (--skip-invalid stores the valid rows)")
        if self.request.dry_run:
            return (f"dry run: would store {len(plan.store)} statement{'s' if len(plan.store) != 1 else ''} and "
                    f"void {len(plan.void)}; nothing stored")
        left_out = f"; {rejected} rejected row{'s' if rejected != 1 else ''} left out" if rejected else ""
        if not self.written:
            return f"nothing new to import: {len(plan.unchanged)} unchanged{left_out}"
        return (f"stored {self.stored} statement{'s' if self.stored != 1 else ''}, voided {self.voided}, "
                f"{len(plan.unchanged)} unchanged{left_out}")

    def render(self) -> str:
        """The text report: the plan's table for a dry run; otherwise what was read, each rejected or held row
        with its lines, and the verdict."""
        plan = self.plan
        if self.request.dry_run:
            return render_table(plan) + self.verdict() + "\n"
        out = [plan.description, *(f"note: {w}" for w in plan.warnings)]
        for s in plan.sessions:
            out.append(f"session: {s.name or '(unnamed)'} <{s.iri}>")
        for r in plan.rejected:
            where = "line" if len(r.lines) == 1 else "lines"
            out.append(f"rejected: {where} {', '.join(map(str, r.lines))}: {r.reason} ({r.code})")
        for k in plan.skipped:
            out.append(f"skipped: line {k.line}: {k.reason}")
        for h in plan.held:
            out.append(f"held: {h.prior.statement_id} ({h.prior.person_key}): {h.reason}")
        out.append(self.verdict())
        return "\n".join(out) + "\n"


def _prepare_planned(plan: ImportPlan, authority: dict[str, Any]) -> list[dict[str, Any]]:
    """Every statement of the plan through ``prepare_batch``; a planned statement it refuses becomes a rejected
    row (and the earlier statements it would have replaced are held, not voided)."""
    try:
        return _prepare_all(plan.statements(), authority)
    except XAPIError:
        pass
    bad: dict[str, str] = {}
    for p in plan.store:
        try:
            prepare_batch([p.statement], {}, version=XAPI_VERSION, authority=authority, single=True)
        except XAPIError as exc:
            bad[p.id] = exc.message
    if not bad:  # a voiding statement was refused: built from our constants, so a bug, not a row's fault
        raise RuntimeError("a voiding statement of the import was refused by prepare_batch")
    kept: list[PlannedStatement] = []
    released: set[str] = set()
    for p in plan.store:
        if p.id in bad:
            plan.rejected.append(Rejected(p.lines, "invalid_statement",
                                          f"{p.person_name or p.person_key}: the statement would be invalid: "
                                          f"{bad[p.id]}", None, None))
            released.update(p.replaces)
        else:
            kept.append(p)
    plan.store = kept
    for v in [v for v in plan.void if v.target in released]:
        plan.void.remove(v)
        plan.held.append(Held(PriorStatement(v.target, v.session_iri, v.person_key, v.verb),
                              "not voided: its replacement would be an invalid statement"))
    plan.rejected.sort(key=lambda r: (r.line, r.code))
    return _prepare_all(plan.statements(), authority)


def _prepare_all(raw: list[dict[str, Any]], authority: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(0, len(raw), EVENT_STATEMENTS):
        out.extend(prepare_batch(raw[i:i + EVENT_STATEMENTS], {}, version=XAPI_VERSION, authority=authority,
                                 max_batch=EVENT_STATEMENTS))
    return out


def import_attendance(services: Services, file: str | os.PathLike[str] | BinaryIO, request: ImportRequest, *,
                      name: str | None = None, authority: dict[str, Any] | None = None,
                      authority_key: str = "importer:attendance") -> ImportOutcome:
    """Import one attendance export (see the module docstring).

    Raises :class:`adapters.errors.ImportFileError` when the file (or the mapping, or the format) is refused,
    and :class:`lrs.xapi.errors.XAPIError` (409) if a concurrent writer stored a different statement under one
    of the import's ids; in both cases nothing is stored.
    """
    settings = services.settings
    opts = options_from_mapping(dict(request.mapping or {}), activity=request.activity,
                                base=district_options(settings))
    parsed = read_attendance(file, request.format, opts, name=name)
    lookup = roster_lookup(services.store)
    priors, voided = prior_imports(services.engine, parsed.session_iris(), iri_base=parsed.options.iri_base)
    # validate=False: prepare_batch below validates every statement anyway (the one path every writer uses).
    plan = plan_import(parsed, lookup, priors, voided_ids=voided, validate=False)
    auth = authority or importer_authority(settings, "attendance-import")
    prepared = _prepare_planned(plan, auth)
    outcome = ImportOutcome(plan, request)
    if request.dry_run or outcome.refused or not prepared:
        return outcome
    services.statements.save_group(
        [SaveRequest(prepared[i:i + EVENT_STATEMENTS], {}, authority_key)
         for i in range(0, len(prepared), EVENT_STATEMENTS)], atomic=True)
    outcome.written, outcome.stored, outcome.voided = True, len(plan.store), len(plan.void)
    return outcome

