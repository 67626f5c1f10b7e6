"""The one generic export: any django-tables2 table to CSV or XLSX, with every filtered row and the columns on screen.

CSV is UTF-8 with a byte-order mark so Russian Excel opens it; text that a spreadsheet would read as a formula
is defused (an apostrophe in CSV, a plain string cell in XLSX).
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import xlsxwriter
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.functional import Promise

from core.tables import MoneyColumn

# A spreadsheet reads a cell as a formula when it begins with one of these, also after leading spaces or line
# breaks, and some read the full-width forms (as typed with an East Asian keyboard) the same way.
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")

FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = '#,##0.00 "₸"'
NUMBER_FORMAT = "#,##0.##"
DATE_FORMAT = "dd.mm.yyyy"
DATETIME_FORMAT = "dd.mm.yyyy hh:mm"


def cell_value(value: Any) -> Any:
    """Return a value as a spreadsheet should hold it: numbers and dates kept, everything else as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return force_str(value)
    if isinstance(value, (int, float, decimal.Decimal, dt.date)):
        return value
    if isinstance(value, Promise):
        return force_str(value)
    return force_str(value)


def looks_like_formula(text: str) -> bool:
    """Return whether a spreadsheet could read the text as a formula: after any leading whitespace, line breaks and
    invisible format characters, it begins with =, +, -, @ or their full-width forms; or it begins with a tab or a
    carriage return (which some spreadsheets drop before reading the rest)."""
    if text[:1] in ("\t", "\r"):
        return True
    for char in text:
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
            continue
        return char in FORMULA_STARTS
    return False


def csv_safe(value: Any) -> Any:
    """Return text that no spreadsheet will run as a formula (an apostrophe before a risky beginning)."""
    value = cell_value(value)
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """Yield CSV text line by line, beginning with the UTF-8 byte-order mark."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([csv_safe(v) for v in row])


def write_sheet(workbook, worksheet, rows: Iterable[Sequence[Any]], *, money_columns: Iterable[int] = ()) -> int:
    """Write a header row and data rows to a worksheet row by row (constant-memory safe); return the row count."""
    formats = getattr(workbook, "_gsz_formats", None)  # created once per workbook
    if formats is None:
        formats = {
            "header": workbook.add_format({"bold": True, "bg_color": "#E9ECEF", "text_wrap": True, "valign": "top"}),
            "money": workbook.add_format({"num_format": MONEY_FORMAT}),
            "number": workbook.add_format({"num_format": NUMBER_FORMAT}),
            "date": workbook.add_format({"num_format": DATE_FORMAT}),
            "datetime": workbook.add_format({"num_format": DATETIME_FORMAT}),
        }
        workbook._gsz_formats = formats
    money_columns = set(money_columns)
    width = 0
    count = 0
    for r, row in enumerate(rows):
        if r == 0:
            width = len(row)
            for c, title in enumerate(row):
                worksheet.write_string(0, c, force_str(title), formats["header"])
            continue
        for c, raw in enumerate(row):
            value = cell_value(raw)
            if isinstance(value, str):
                worksheet.write_string(r, c, value)
            elif isinstance(value, dt.datetime):
                local = timezone.localtime(value) if timezone.is_aware(value) else value
                worksheet.write_datetime(r, c, local.replace(tzinfo=None), formats["datetime"])
            elif isinstance(value, dt.date):
                worksheet.write_datetime(r, c, value, formats["date"])
            else:
                fmt = formats["money"] if c in money_columns else formats["number"]
                worksheet.write_number(r, c, float(value), fmt)
        count += 1
    if width:
        worksheet.freeze_panes(1, 0)
        worksheet.autofilter(0, 0, max(count, 1), width - 1)
        worksheet.set_column(0, width - 1, 18)
    return count


def new_workbook(output) -> xlsxwriter.Workbook:
    """Return an xlsxwriter workbook that never turns text into formulas, numbers or links, in constant memory."""
    return xlsxwriter.Workbook(
        output,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "in_memory": False,
        },
    )


def xlsx_bytes(rows: Iterable[Sequence[Any]], *, sheet_name: str, money_columns: Iterable[int] = ()) -> bytes:
    """Return an XLSX file with one sheet holding the rows (the first row is the header)."""
    output = io.BytesIO()
    workbook = new_workbook(output)
    worksheet = workbook.add_worksheet(sheet_name[:31])
    write_sheet(workbook, worksheet, rows, money_columns=money_columns)
    workbook.close()
    return output.getvalue()


def export_response(rows: Iterable[Sequence[Any]], *, fmt: str, basename: str, money_columns=()) -> HttpResponse:
    """Return a download of the rows as CSV (streamed) or XLSX."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{basename}-{stamp}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            xlsx_bytes(rows, sheet_name=basename, money_columns=money_columns), content_type=XLSX_CONTENT_TYPE
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_rows(table) -> tuple[Iterator[list], list[int]]:
    """Return a django-tables2 table's export rows — the header, then every row's `value_*` values, of the columns
    on screen that are not excluded from exports — and the positions of its money columns (core.tables.MoneyColumn),
    which the XLSX export formats as tenge."""
    columns = [c for c in table.columns.iterall() if not c.column.exclude_from_export]
    return table.as_values(), [i for i, c in enumerate(columns) if isinstance(c.column, MoneyColumn)]


class ExportMixin:
    """For SingleTableMixin list views: `?export=csv` or `?export=xlsx` downloads every filtered row (the page links
    to them with `{% querystring export="csv" page=None %}`, keeping the filters)."""

    export_basename = "export"

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt not in FORMATS:
            return super().get(request, *args, **kwargs)
        if hasattr(self, "get_filterset"):
            self.filterset = self.get_filterset(self.get_filterset_class())
            self.object_list = self.filterset.qs if self.filterset.is_valid() else self.filterset.queryset.none()
        elif hasattr(self, "get_queryset"):
            self.object_list = self.get_queryset()
        table = self.get_table_class()(self.get_table_data(), **self.get_table_kwargs())
        rows, money = table_rows(table)
        return export_response(rows, fmt=fmt, basename=self.export_basename, money_columns=money)
