"""A file's bytes → its headers and rows, with Excel's habits handled.

CSV and TSV go through the standard ``csv`` module after the encoding is found (a BOM; else
strict UTF-8; else ``charset-normalizer``'s best guess, cp1252 being what Excel writes on
Windows) and the delimiter sniffed (``,``, ``;``, tab or ``|``). XLSX goes through
``python-calamine`` (the first sheet). Quoted newlines are the csv module's; trailing empty
columns are dropped; duplicate headers get " (2)", " (3)"… so every column can be mapped.

Anything that cannot be read raises ``FileProblem`` with a sentence for the person who sent
it; nothing here raises anything else for bad input.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

MAX_HEADER_COLUMNS = 200
SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
XLSX_MAGIC = b"PK\x03\x04"


class FileProblem(ValueError):
    """The whole file cannot be imported; ``str()`` says why, for the person."""


@dataclass
class ParsedFile:
    file_format: str
    headers: list[str]
    rows: Iterator[list[str]] = field(repr=False)
    encoding: str = ""
    delimiter: str = ""


def _decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding's name; FileProblem for bytes that are not text."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as error:
                raise FileProblem(
                    _("The file says it is %(encoding)s but is not: %(error)s")
                    % {"encoding": name, "error": error.reason}
                ) from error
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        # Not UTF-8: what Excel writes on Windows (cp1252, of which Latin-1 is nearly all)
        # when every byte is one of its characters; else charset-normalizer's best guess.
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            best = from_bytes(data[: 4 * SNIFF_BYTES]).best()
            encoding = best.encoding if best is not None else ""
            if not encoding:
                raise FileProblem(
                    _("This does not look like a text file (CSV or TSV) or a spreadsheet (XLSX).")
                ) from None
            try:
                text = data.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                text, encoding = data.decode("latin-1"), "latin-1"
    # Control characters other than tab and newlines: binary junk, whatever its name.
    sample = text[:SNIFF_BYTES]
    junk = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    if "\x00" in sample or junk > len(sample) // 100:
        raise FileProblem(
            _("This does not look like a text file (CSV or TSV) or a spreadsheet (XLSX).")
        )
    return text, encoding


def _delimiter(text: str, file_name: str) -> str:
    first_line = text.split("\n", 1)[0]
    if file_name.lower().endswith(".tsv") and "\t" in first_line:
        return "\t"
    try:
        return csv.Sniffer().sniff(text[:SNIFF_BYTES], delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: first_line.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _clean_headers(raw: list[str]) -> list[str]:
    headers = [str(h or "").strip() for h in raw]
    while headers and not headers[-1]:
        headers.pop()  # trailing empty columns: Excel's habit
    if not headers:
        raise FileProblem(_("The first row should name the columns, and it is empty."))
    if len(headers) > MAX_HEADER_COLUMNS:
        raise FileProblem(
            _("The file has %(count)s columns; at most %(limit)s can be imported.")
            % {"count": len(headers), "limit": MAX_HEADER_COLUMNS}
        )
    seen: dict[str, int] = {}
    unique = []
    for position, header in enumerate(headers, start=1):
        name = header or _("Column %(number)s") % {"number": position}
        key = name.lower()
        seen[key] = seen.get(key, 0) + 1
        unique.append(name if seen[key] == 1 else f"{name} ({seen[key]})")
    return unique


def _cell(value) -> str:
    """A spreadsheet cell as text: 12345.0 → "12345", dates → ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _not_blank(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    for row in rows:
        yield [_cell(value) for value in row]


def read_file(data: bytes, file_name: str) -> ParsedFile:
    """Headers and a row iterator (each row a list of text cells, blank rows included so row
    numbers stay those of the file). FileProblem when the file cannot be imported at all."""
    if not data.strip():
        raise FileProblem(_("The file is empty."))
    if data.startswith(XLSX_MAGIC) or file_name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        return _read_spreadsheet(data)
    text, encoding = _decode(data)
    delimiter = _delimiter(text, file_name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = _clean_headers(next(reader, []))
    except csv.Error as error:
        raise FileProblem(
            _("The first row cannot be read: %(error)s") % {"error": error}
        ) from error
    return ParsedFile(
        file_format="tsv" if delimiter == "\t" else "csv",
        headers=headers,
        rows=_csv_rows(reader),
        encoding=encoding,
        delimiter=delimiter,
    )


def _csv_rows(reader) -> Iterator[list[str]]:
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            # A broken quote: the rest of the line is one cell; the row is flagged by width.
            yield ["\x00unreadable"]
            continue
        yield [cell.strip() for cell in row]


def _read_spreadsheet(data: bytes) -> ParsedFile:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise FileProblem(_("The spreadsheet has no sheets."))
        sheet = workbook.get_sheet_by_index(0)
        rows = iter(sheet.iter_rows())
        first = next(rows, None)
    except FileProblem:
        raise
    except Exception as error:  # calamine's errors are its own types; all mean "unreadable"
        raise FileProblem(
            _("This spreadsheet cannot be read (%(error)s). Save it as XLSX or CSV and try again.")
            % {"error": str(error)[:200]}
        ) from error
    if first is None:
        raise FileProblem(_("The file is empty."))
    headers = _clean_headers([_cell(value) for value in first])
    return ParsedFile(file_format="xlsx", headers=headers, rows=_not_blank(rows))
