"""Excel exports (SPEC §9): building blocks for every workbook of the system.

How to add a workbook (the bulletin, a ledger, …):

1. Describe its columns with ``writer.Column(header, source, type, width)``: ``source`` is a
   ``values_list`` lookup, ``type`` one of ``TEXT INT DECIMAL PERCENT DATE DATETIME BOOL`` (percentages are
   fractions, 0.25 → 25.00%). Every text cell is neutralised against formula injection by the writer.
2. Write ``build(user, params) -> list[writer.Sheet]``: start from a selector, limit it with
   ``hospitals.selectors.scope_queryset`` (or a selector that does), apply the list's FilterSet with
   ``registry.filtered(qs, params, TheListFilterSet)``, and feed ``writer.queryset_rows(qs, COLUMNS)`` (a
   server-side cursor read in batches; ``batch_hook`` adds many-to-many values with one query per batch)
   or any iterable of rows (a bulletin's computed tables) to ``Sheet(title, COLUMNS, rows, count=...)``.
   One Sheet per worksheet: a bulletin is one workbook with a sheet per section.
3. ``registry.register_export(ExportKind(code, title, build, filterset_class))`` in a module of
   ``reporting/exports/workbooks/`` (imported by the app's ``ready``).
4. Callers: ``api.XlsxExportMixin`` (``export_kind = code``, the kind registered with the viewset's own
   ``filterset_class``) gives a list viewset ``GET …/export/``; ``admin.xlsx_export_action(code)`` is a
   changelist action; a page links to ``/exports/<code>/?<filters>`` (``views.export_download``); a
   file built by a task (the monthly rollup) calls ``writer.write_workbook(path_or_file, sheets)``.

Exports above ``settings.EXPORT_ASYNC_ROW_THRESHOLD`` rows become an ``ExportJob`` run by the Celery task
``exports.tasks.run_export_job`` with ``rows_done``/``rows_total`` progress; the file is kept in
Django's default storage until ``expires_at`` (``EXPORT_FILE_TTL_HOURS``), then
``delete_expired_exports`` removes it. /api/v1/exports/ lists, polls and downloads the user's jobs.

This is its own Django app (label ``exports``) inside ``reporting/`` so its migrations never collide with
reporting's.
"""
