"""Participants from a paste, a CSV file or an XLSX workbook: name, service, role.

Spreadsheets are exported in many ways: a header row or none, `;` (French
Excel), `,` or tabs, UTF-8 or Windows-1252, first name and surname in two
columns. :func:`read_table` turns any of them into rows of cells, and
:func:`people_from_rows` finds the columns (by header when there is one,
else in the order name, service, role). The text form of a list, one person
a line, is :func:`people_text` and back :func:`parse_people`.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from .texts import _

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 500
SEPARATOR = " ; "


class ImportProblem(ValueError):
    """A participants file that cannot be read; the message is for the trainer."""


@dataclass(frozen=True)
class Person:
    """One line of a people list."""

    nom: str
    service: str = ""
    role: str = ""

    def plain(self, with_role: bool = True) -> dict:
        """Return the person as a plain mapping for the session file (empty fields left out)."""
        out = {"nom": self.nom}
        if self.service:
            out["service"] = self.service
        if with_role and self.role:
            out["role"] = self.role
        return out


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text or ""))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()


HEADERS = {
    "nom": ("nom", "name", "nom complet", "full name", "participant", "participante", "personne",
            "nom et prenom", "prenom nom", "nom prenom"),
    "prenom": ("prenom", "first name", "firstname", "given name"),
    "famille": ("nom de famille", "surname", "last name", "lastname", "family name"),
    "service": ("service", "direction", "organisation", "organization", "structure", "department",
                "departement", "pole", "entite"),
    "role": ("role", "fonction", "poste", "job", "job title", "title", "metier"),
}


def _column_of(cell) -> str | None:
    folded = _fold(cell)
    for column, names in HEADERS.items():
        if folded in names:
            return column
    return None


def people_from_rows(rows: list[list[str]]) -> list[Person]:
    """Return the people of a table: columns found by their header, else name, service, role."""
    rows = [[_clean(c) for c in row] for row in rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    columns = [_column_of(c) for c in rows[0]]
    if "prenom" in columns and "nom" in columns and "famille" not in columns:  # Prénom | Nom
        columns = ["famille" if c == "nom" else c for c in columns]
    if any(columns):
        rows = rows[1:]
    else:
        columns = ["nom", "service", "role"]
    people = [_person(row, columns) for row in rows]
    return [p for p in people if p is not None]


def _person(row: list[str], columns: list[str | None]) -> Person | None:
    cells = {}
    for column, cell in zip(columns, row):
        if column and cell and column not in cells:
            cells[column] = cell
    nom = cells.get("nom") or " ".join(c for c in (cells.get("prenom"), cells.get("famille")) if c)
    if not nom:
        return None
    return Person(nom, cells.get("service", ""), cells.get("role", ""))


def _clean(cell) -> str:
    if cell is None:
        return ""
    return " ".join(str(cell).split())


# --- files -----------------------------------------------------------------------------------


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """Return the rows of a CSV or XLSX file; raise :class:`ImportProblem` if it cannot be read."""
    if len(data) > MAX_BYTES:
        raise ImportProblem(_("This file is too large for a list of participants (at most 2 MB)."))
    if data[:4] == b"PK\x03\x04":
        return _xlsx_rows(data)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        raise ImportProblem(_("This file is not a readable XLSX workbook; export the sheet as XLSX or CSV."))
    return _csv_rows(data)


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    if "\x00" in text:
        raise ImportProblem(_("This file is not a CSV text file; export the sheet as CSV or XLSX."))
    sample = "\n".join(text.splitlines()[:20])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    return _limited(rows)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # what French Excel writes


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        _check_zip(data)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportProblem:
        raise
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of errors for a bad file
        raise ImportProblem(_("This file is not a readable XLSX workbook; export the sheet as XLSX or CSV.")) \
            from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(["" if v is None else str(v) for v in row[:10]])
            if len(rows) > MAX_ROWS + 1:
                break
    finally:
        workbook.close()
    return _limited(rows)


def _check_zip(data: bytes) -> None:
    """Refuse a workbook that would unpack to far more than a list of people (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportProblem(_("This file is not a readable XLSX workbook; export the sheet as XLSX or CSV.")) \
            from None
    if total > 50 * MAX_BYTES:
        raise ImportProblem(_("This workbook is too large for a list of participants."))


def _limited(rows: list[list[str]]) -> list[list[str]]:
    if len(rows) > MAX_ROWS + 1:
        raise ImportProblem(_("This file has more than 500 lines; is it really a list of participants?"))
    return rows


# --- the text form ---------------------------------------------------------------------------


def people_text(people: list[Person], with_role: bool = True) -> str:
    """Return people one a line: ``name ; service ; role`` (trailing empty columns left out)."""
    lines = []
    for person in people:
        cells = [person.nom, person.service, person.role if with_role else ""]
        while cells and not cells[-1]:
            cells.pop()
        lines.append(SEPARATOR.join(cells))
    return "\n".join(lines)


def parse_people(text: str, columns: int = 3) -> list[tuple[int, list[str]]]:
    """Return (line number, cells) for each non-empty line of a pasted list (tabs or `;` between cells)."""
    out = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        separator = "\t" if "\t" in line else ";"
        cells = [_clean(c) for c in line.split(separator)]
        if len(cells) > columns:
            cells = cells[: columns - 1] + [" ".join(c for c in cells[columns - 1:] if c)]
        out.append((number, cells))
    return out


def to_people(rows: list[tuple[int, list[str]]]) -> list[Person]:
    """Return the people of parsed lines (lines without a name are left to the form's checks)."""
    return [Person(*(cells + ["", "", ""])[:3]) for _, cells in rows]


