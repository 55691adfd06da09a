"""Read the appendix table of a plan and find its sections, tasks or indicators.

Pure Python: no Django settings, no database.

Layer 1 (readers) turns a file into ``SourceRow``s: ``read_table`` for
.xlsx/.docx bytes (recognised by content, unsafe files refused) and
``read_pasted`` for text pasted from Excel or Word. Readers keep what the
user sees: cleaned texts, the row numbers they know, merged ranges reported
in ``hmerged``/``vmerged`` instead of being filled blindly, formulas marked.

Layer 2 (``parse_task_table``, ``parse_indicator_table``) finds the header
band (title rows above it, two-row headers, column-number rows, headers
repeated at page breaks), then reads sections (A > I > 1), tasks or
indicators with their sub-rows, with row-level errors and warnings in
Vietnamese.
"""

from .header import INDICATOR_ROLES, TASK_ROLES, find_header
from .indicators import parse_indicator_table
from .model import (
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    MAX_UPLOAD_BYTES,
    IndicatorItem,
    IndicatorSubRow,
    IndicatorTable,
    RowMessage,
    SourceRow,
    TableError,
    TableItem,
    TaskTable,
)
from .pasted import read_pasted
from .reading import read_table
from .tasks import parse_task_table


def guess_table_kind(rows: list[SourceRow]) -> str:
    """Return "indicators" or "tasks" from the header found, or "" if none.

    A header naming a unit, a target or a monitoring unit is an indicator
    table; any other recognisable header is a task table.
    """
    band = find_header(rows, INDICATOR_ROLES)
    if band and {"unit", "target", "monitoring"} & set(band.columns):
        return "indicators"
    return "tasks" if band or find_header(rows, TASK_ROLES) else ""


__all__ = [
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_UPLOAD_BYTES",
    "IndicatorItem",
    "IndicatorSubRow",
    "IndicatorTable",
    "RowMessage",
    "SourceRow",
    "TableError",
    "TableItem",
    "TaskTable",
    "guess_table_kind",
    "parse_indicator_table",
    "parse_task_table",
    "read_pasted",
    "read_table",
]
