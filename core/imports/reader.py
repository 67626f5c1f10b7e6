"""Reading an uploaded file: an XLSX workbook (pandas with the calamine engine) or one CSV sheet (UTF-8 with or
without BOM, `;` or `,`), every cell as text. A file that cannot be read raises `FileProblem` with a clear message."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

import pandas as pd
from django.conf import settings
from django.utils.translation import gettext as _

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an encrypted XLSX (or an old .xls) is an OLE2 compound file
MAX_UNPACKED_BYTES = 500 * 1024 * 1024  # a zip bomb unpacks to far more than any real workbook
MAX_PACKING_RATIO = 200


class FileProblem(Exception):
    """The file cannot be read as a spreadsheet; the message says why in the reader's language."""


@dataclass
class Sheet:
    name: str
    header: list[str]  # the first row's texts, normalised
    rows: list[list[str]]  # data rows (from the sheet's row 2), each cell as text

    def records(self):
        """Yield (row number in the sheet, {header: text}) for each non-empty row."""
        for index, cells in enumerate(self.rows, start=2):
            if any(cell.strip() for cell in cells):
                yield index, {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(self.header)}


def normalise(header: str) -> str:
    return str(header).strip().lower()


def read(content: bytes, file_name: str, csv_kind: str = "") -> list[Sheet]:
    """Return the sheets of the file; raise FileProblem when it is no spreadsheet or too big."""
    if not content:
        raise FileProblem(_("The file is empty."))
    if content.startswith(OLE_MAGIC):
        raise FileProblem(
            _("The file is encrypted or in the old .xls format: save it as an .xlsx workbook without a password.")
        )
    if content.startswith(ZIP_MAGIC):
        sheets = read_xlsx(content)
    else:
        sheets = [read_csv(content, csv_kind or file_name.rsplit(".", 1)[0].rsplit("/", 1)[-1])]
    limit = settings.GSZ["IMPORT_MAX_ROWS"]
    rows = sum(len(sheet.rows) for sheet in sheets)
    if rows > limit:
        raise FileProblem(
            _("The file has %(rows)d rows; at most %(limit)d can be imported at once.")
            % {"rows": rows, "limit": limit}
        )
    return sheets


def read_xlsx(content: bytes) -> list[Sheet]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except zipfile.BadZipFile as error:
        raise FileProblem(_("The file is damaged: it is not a readable .xlsx workbook.")) from error
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_PACKING_RATIO * len(content) + 10 * 1024 * 1024:
        raise FileProblem(_("The workbook unpacks to far more data than a spreadsheet holds; it is refused."))
    if "xl/workbook.xml" not in names:
        raise FileProblem(_("The file is not an Excel workbook (.xlsx)."))
    try:
        frames = pd.read_excel(
            io.BytesIO(content), sheet_name=None, engine="calamine", dtype=str, header=None, keep_default_na=False
        )
    except Exception as error:  # calamine reports damaged parts in many ways
        raise FileProblem(_("The file is damaged: it is not a readable .xlsx workbook.")) from error
    return [frame_sheet(str(name), frame) for name, frame in frames.items()]


def frame_sheet(name: str, frame: pd.DataFrame) -> Sheet:
    if frame.empty:
        return Sheet(name=name, header=[], rows=[])
    values = frame.astype(str).values.tolist()
    header = [normalise(cell) for cell in values[0]]
    return Sheet(name=name, header=header, rows=[[str(cell) for cell in row] for row in values[1:]])


def read_csv(content: bytes, name: str) -> Sheet:
    if b"\x00" in content[:4096]:
        raise FileProblem(_("The file is not a spreadsheet: upload an .xlsx workbook or a CSV file."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblem(_("A CSV file must be saved in UTF-8 (with or without BOM).")) from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        return Sheet(name=name, header=[], rows=[])
    return Sheet(name=name, header=[normalise(cell) for cell in rows[0]], rows=rows[1:])
