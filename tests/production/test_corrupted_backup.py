"""A damaged backup archive gets a clear message, never a zlib.error traceback."""

from __future__ import annotations

import io
import tarfile

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def archive_bytes() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        data = b"x" * 200_000
        info = tarfile.TarInfo("database.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize("damage", ["flipped", "truncated", "not gzip"])
def test_a_damaged_archive_is_refused_with_a_clear_message(tmp_path, damage):
    raw = bytearray(archive_bytes())
    if damage == "flipped":  # a byte changed in the compressed stream: zlib.error inside gzip
        for at in range(40, min(len(raw) - 20, 400)):
            raw[at] ^= 0xFF
    elif damage == "truncated":
        raw = raw[: len(raw) // 2]
    else:
        raw = bytearray(b"PK\x03\x04 not a tar.gz at all")
    path = tmp_path / "cchc-hong.tar.gz"
    path.write_bytes(bytes(raw))
    with pytest.raises(CommandError) as error:
        call_command("restore", str(path), "--force")
    message = str(error.value)
    assert "Không đọc được tệp sao lưu" in message and "Traceback" not in message
