"""Column names and kinds of a repository's tabular data files, read from their headers.

Nothing is executed and little is read: a CSV's first 64 KiB (header and a sample of rows to
guess each column's kind), a Parquet file's footer schema through pyarrow when it is installed
(a footer larger than 8 MiB is not read). Files are opened without following links, and only
regular files.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import stat
import struct

from mlscaffold.repofacts import Column, DataFile
from mlscaffold.score.read import linear
from mlscaffold.score.read.safeio import read_regular_file

TABULAR = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet"}
CSV_HEAD_BYTES = 64 * 1024
SAMPLE_ROWS = 200
MAX_COLUMNS = 200
MAX_FILES = 20
MAX_FOOTER_BYTES = 8 * 1024 * 1024
_CONTROL = linear.lazy(r"[\x00-\x1f\x7f]")
_INTEGER = linear.lazy(r"[-+]?\d+")
_NUMBER = linear.lazy(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|[-+]?(inf|nan)", linear.I)
_BOOLEAN = {"true", "false", "yes", "no", "t", "f"}
_MISSING = {"", "na", "nan", "null", "none", "n/a", "-"}


def clean_name(name: str, limit: int = 100) -> str:
    """A column name as one short line of text (names come from files, not from people)."""
    return _CONTROL.sub(" ", name).strip()[:limit]


def read_data_file(root: str, path: str, size: int) -> DataFile:
    fmt = TABULAR[os.path.splitext(path)[1].lower()]
    full = os.path.join(root, path)
    if fmt == "parquet":
        columns, note = _parquet_columns(full, size)
    else:
        columns, note = _csv_columns(full, "\t" if fmt == "tsv" else None)
    return DataFile(path, fmt, size, columns, note)


def _csv_columns(full: str, delimiter: str | None) -> tuple[tuple[Column, ...], str]:
    head = read_regular_file(full, CSV_HEAD_BYTES + 1)
    if head is None:
        return (), "not readable as a regular file"
    truncated = len(head) > CSV_HEAD_BYTES
    text = head[:CSV_HEAD_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.splitlines()
    if truncated and len(lines) > 1:
        lines = lines[:-1]  # the last line was cut by the size cap
    if not lines or not lines[0].strip():
        return (), "empty, or no header line"
    if delimiter is None:
        delimiter = _delimiter(lines[0])
    try:
        rows = list(
            csv.reader(io.StringIO("\n".join(lines[: SAMPLE_ROWS + 1])), delimiter=delimiter)
        )
    except csv.Error as exc:
        return (), f"not readable as CSV ({exc})"
    header, sample = rows[0], rows[1:]
    note = ""
    if len(header) > MAX_COLUMNS:
        note = f"{len(header)} columns; the first {MAX_COLUMNS} are listed"
        header = header[:MAX_COLUMNS]
    columns = []
    for i, raw in enumerate(header):
        values = [row[i].strip() for row in sample if i < len(row)]
        columns.append(Column(clean_name(raw) or f"column_{i + 1}", _kind(values)))
    return tuple(columns), note


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _kind(values: list[str]) -> str:
    present = [v for v in values if v.lower() not in _MISSING]
    if not present:
        return "empty"
    if all(_INTEGER.fullmatch(v) for v in present):
        return "integer"
    if all(_NUMBER.fullmatch(v) for v in present):
        return "number"
    if all(v.lower() in _BOOLEAN for v in present):
        return "boolean"
    return "text"


def _parquet_columns(full: str, size: int) -> tuple[tuple[Column, ...], str]:
    if importlib.util.find_spec("pyarrow") is None:
        return (), "columns not read: pyarrow is not installed"
    footer_len = _parquet_footer_length(full, size)
    if isinstance(footer_len, str):
        return (), footer_len
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(full)
    except Exception as exc:  # a malformed file: pyarrow raises many kinds of error
        return (), f"footer not readable ({type(exc).__name__})"
    names = list(schema.names)
    note = f"{len(names)} columns; the first {MAX_COLUMNS} are listed" if len(names) > 200 else ""
    return (
        tuple(
            Column(
                clean_name(str(name)) or f"column_{i + 1}", clean_name(str(schema.field(i).type))
            )
            for i, name in enumerate(names[:MAX_COLUMNS])
        ),
        note,
    )


def _parquet_footer_length(full: str, size: int) -> int | str:
    """The footer's length from the file's last 8 bytes (``<length>PAR1``), or why not."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(full, flags)
    except OSError:
        return "not readable as a regular file"
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size < 12:
            return "not a Parquet file"
        os.lseek(fd, st.st_size - 8, os.SEEK_SET)
        tail = os.read(fd, 8)
    except OSError:
        return "not readable"
    finally:
        os.close(fd)
    if len(tail) != 8 or tail[4:] != b"PAR1":
        return "not a Parquet file (no PAR1 footer)"
    (length,) = struct.unpack("<i", tail[:4])
    if length <= 0 or length > min(MAX_FOOTER_BYTES, size):
        return f"footer of {length} bytes not read (limit {MAX_FOOTER_BYTES})"
    return length
