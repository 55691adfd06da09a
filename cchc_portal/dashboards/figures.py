"""The province figures computed once and kept while nothing they read has changed.

A province's dashboard reads every share of the year (8,500 at national scale) twice: per task for the statuses
(``queries.task_table``) and per agency and CCHC area (``queries.agency_ranking``). Those figures change only when a
document, section, task or share of the province changes, or an agency's or a province's name: PostgreSQL triggers
then move the province's version (``cchc_portal.models.FiguresVersion``, every write path included). ``remember``
keeps what a function computed under the versions it read, the documents and the day (a share falls overdue
overnight), in this process's memory; the next page with the same versions gets it back without a query, and a
moved version simply misses. Reading the versions is one query per page.

What is kept is shared by the requests of a worker: it is never changed after it is kept (rows are tuples; the
sections are read only). Elsewhere than PostgreSQL (no triggers) nothing is kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

from cchc_portal.models import FiguresVersion

T = TypeVar("T")
MAX_ENTRIES = 64  # a province's task table is about 0.5 MB: at most a few dozen MB a worker

_kept: OrderedDict[tuple, object] = OrderedDict()
_lock = threading.Lock()


def versions(province_ids: set[int]) -> tuple[tuple[int, int], ...] | None:
    """The current versions of the provinces and of the directory, or None where nothing is kept."""
    if connection.vendor != "postgresql":
        return None
    wanted = sorted({*province_ids, FiguresVersion.DIRECTORY})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT province_id, value FROM cchc_portal_figuresversion WHERE province_id = ANY(%s)", [wanted]
        )
        found = dict(cursor.fetchall())
    return tuple((pk, found.get(pk, 0)) for pk in wanted)  # 0: unchanged since the triggers were installed


def remember(key: tuple | None, compute: Callable[[], T]) -> T:
    """Return what ``compute`` returned for ``key`` (a name, the versions, the documents and the day), computing it
    only when nothing is kept for that key; a key of None (nothing kept on this database) always computes."""
    if key is None:
        return compute()
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]  # type: ignore[return-value]
    value = compute()
    with _lock:
        _kept[key] = value
        while len(_kept) > MAX_ENTRIES:
            _kept.popitem(last=False)
    return value


def forget() -> None:
    """Drop everything kept (a restored backup may give versions again)."""
    with _lock:
        _kept.clear()
