"""Imports of past records from spreadsheets: the reader, the registry of kinds, the engine (a dry run, then a commit
in one transaction), the template and the report workbook. Each app defines the kinds of its records in its own
`imports.py` and registers them in `AppConfig.ready()`."""
