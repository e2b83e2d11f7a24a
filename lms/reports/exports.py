"""Writing tables as CSV (UTF-8 with a BOM, so Excel reads Cyrillic) or XLSX, a row at a time."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

from .tables import Table

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _is_number(value):
        return "'" + value  # a name such as "=HYPERLINK(...)" must stay text in a spreadsheet
    return value


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


class _Echo:
    def write(self, value):
        return value


def csv_stream(table: Table) -> Iterator[str]:
    """The table as CSV text, one line at a time (for a streaming response)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(table.columns)
    for row in table.rows:
        yield writer.writerow([_cell(value) for value in row])


def write(
    table: Table, fmt: str, target, progress: Callable[[int], None] | None = None, every: int = 5000
) -> int:
    """Write the table into a binary file object; returns the number of rows. Memory stays flat:
    rows are read from the database in chunks and written straight out."""
    count = 0
    if fmt == "csv":
        text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text)
        text.write("\ufeff")
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow([_cell(value) for value in row])
            count += 1
            if progress and count % every == 0:
                progress(count)
        text.flush()
        text.detach()
        return count
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=table.title[:31] or "Report")
        sheet.append(table.columns)
        for row in table.rows:
            sheet.append([_cell(value) for value in row])
            count += 1
            if progress and count % every == 0:
                progress(count)
        book.save(target)
        return count
    raise ValueError(fmt)


def xlsx_bytes(table: Table) -> bytes:
    buffer = io.BytesIO()
    write(table, "xlsx", buffer)
    return buffer.getvalue()
