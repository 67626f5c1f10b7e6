"""The workbooks of imports (xlsxwriter): the template to fill in, in the reader's language, and the report of a
checked file (its rows with the problem cells highlighted and a problems column), to fix and upload again."""

from __future__ import annotations

import io
from collections import defaultdict

import xlsxwriter
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name

from core.imports import registry
from core.imports.reader import FileProblem, read
from core.models import Import

PROBLEMS_COLUMN = "problems"
MAX_LIST_ROWS = 1000


def template() -> bytes:
    """Return the template: a README sheet describing every column, then one sheet per kind with its header row,
    a worked example row, text-formatted code columns and drop-downs for coded columns."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    readme = book.add_worksheet("README")
    lists = book.add_worksheet("lists")
    readme.write_string(0, 0, _("Import of past records"), book.add_format({"bold": True, "font_size": 14}))
    readme.write_string(
        1,
        0,
        _(
            "Fill in the sheets you need (any subset); keep the sheet names and the header row. Dates as dd.mm.yyyy, "
            "amounts in tenge with up to two decimals. Rows refer to each other by number and BIN, within the file or "
            "to records already in the system. The second row of each sheet is an example: replace or delete it."
        ),
        wrap,
    )
    headers = [_("Sheet"), _("Column"), _("Meaning"), _("Required"), _("Example"), _("Allowed values")]
    for col, title in enumerate(headers):
        readme.write_string(3, col, title, bold)
    readme.set_column(0, 1, 22)
    readme.set_column(2, 2, 60)
    readme.set_column(3, 4, 16)
    readme.set_column(5, 5, 60)
    line, list_col = 4, 0
    for kind in registry.kinds():
        sheet = book.add_worksheet(kind.code)
        for col, column in enumerate(kind.columns):
            sheet.write_string(0, col, column.name, bold)
            sheet.set_column(col, col, 22, text if column.text_format else None)
            if column.example:
                sheet.write_string(1, col, column.example)
            allowed = ""
            if column.choices:
                values = column.choices()[:MAX_LIST_ROWS]
                lists.write_string(0, list_col, f"{kind.code}.{column.name}")
                for r, (code, _label) in enumerate(values, start=1):
                    lists.write_string(r, list_col, code)
                letter = xl_col_to_name(list_col)
                sheet.data_validation(
                    1,
                    col,
                    100000,
                    col,
                    {"validate": "list", "source": f"=lists!${letter}$2:${letter}${len(values) + 1}"},
                )
                allowed = "; ".join(f"{code} — {label}" for code, label in values[:60])
                list_col += 1
            readme.write_string(line, 0, kind.code)
            readme.write_string(line, 1, column.name)
            readme.write_string(line, 2, str(column.help), wrap)
            readme.write_string(line, 3, _("yes") if column.required else _("no"))
            readme.write_string(line, 4, column.example)
            readme.write_string(line, 5, allowed, wrap)
            line += 1
        sheet.freeze_panes(1, 0)
    lists.hide()
    book.close()
    return buffer.getvalue()


def report(batch: Import) -> bytes:
    """Return the uploaded rows with each problem cell highlighted and the messages in a last column."""
    by_cell: dict[tuple[str, int], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    general = []
    for problem in batch.problems:
        if problem["row"]:
            by_cell[(problem["sheet"], problem["row"])][problem["column"]].append(problem["message"])
        else:
            general.append(problem["message"])
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bad = book.add_format({"bg_color": "#F8CBAD", "border": 1, "border_color": "#C00000"})
    bold = book.add_format({"bold": True})
    batch.file.open("rb")
    try:
        content = batch.file.read()
    finally:
        batch.file.close()
    try:
        sheets = read(content, batch.file_name, batch.csv_kind)
    except FileProblem as problem:
        sheets, general = [], [*general, str(problem)]
    if general:
        summary = book.add_worksheet(_("problems")[:31])
        for r, message in enumerate(general):
            summary.write_string(r, 0, message)
    for sheet in sheets:
        out = book.add_worksheet(sheet.name[:31])
        header = [name for name in sheet.header]
        for col, name in enumerate(header):
            out.write_string(0, col, name, bold)
        out.write_string(0, len(header), PROBLEMS_COLUMN, bold)
        for problem_column, messages in by_cell.get((sheet.name, 1), {}).items():
            out.write_string(0, len(header) + 1, f"{problem_column}: {'; '.join(messages)}", bad)
        for index, cells in enumerate(sheet.rows, start=2):
            problems = by_cell.get((sheet.name, index), {})
            for col, value in enumerate(cells):
                name = header[col] if col < len(header) else ""
                out.write_string(index - 1, col, value, bad if name in problems else None)
            if problems:
                notes = "; ".join(f"{column or '—'}: {' '.join(messages)}" for column, messages in problems.items())
                out.write_string(index - 1, len(header), notes, bad)
        out.set_column(0, len(header), 18)
        out.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def sheets_workbook(sheets: dict[str, list[dict]]) -> bytes:
    """Return a workbook of plain sheets of text: {sheet name: [row as {column: text}]} (the demo import, the sample
    file of the docs)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        header = list(dict.fromkeys(key for row in rows for key in row))
        for col, title in enumerate(header):
            sheet.write_string(0, col, title, bold)
            sheet.set_column(col, col, 18)
        for r, row in enumerate(rows, start=1):
            for col, title in enumerate(header):
                sheet.write_string(r, col, str(row.get(title, "")))
    book.close()
    return buffer.getvalue()
