"""Uploaded files that outlive nothing: a file saved during a write that fails is removed again."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db.models.fields.files import FieldFile


@contextlib.contextmanager
def removed_on_failure() -> Iterator[list[FieldFile]]:
    """Yield a list to append each saved ``FieldFile`` to; if the block raises, those files are deleted.

    Use it inside the transaction that writes the rows: the rows roll back, the files go with them.
    """
    saved: list[FieldFile] = []
    try:
        yield saved
    except BaseException:
        for field_file in saved:
            if field_file.name:
                field_file.storage.delete(field_file.name)
        raise
