"""Back up the whole portal into one .tar.gz, and restore it: the database and the uploaded files.

An archive holds ``database.json`` (every row, in Django's JSON serialization, which loads on SQLite and PostgreSQL
alike), ``media/…`` (every file under MEDIA_ROOT: evidence, documents, imported tables) and ``manifest.json`` (written
last: date, portal version, applied migrations, row counts per model, size and sha256 of every file).

Primary keys are kept, so links, history rows and the admin's log still point at the right rows after a restore.
Only content types and permissions, which each database numbers for itself when it is migrated, are written and
referred to by their natural keys (app label and model name; codename) and matched by them on restore. Sessions are
left out: after a restore everyone logs in again.

Costs: the backup reads every table once inside one read-only transaction (a consistent snapshot on PostgreSQL and
on SQLite's WAL), and every file once. The restore reads the archive twice (manifest first, then the data) and loads
the database in one transaction, so a failure leaves the database as it was.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import secrets
import shutil
import tarfile
import tempfile
import time
import tomllib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "database.json"
MEDIA = "media"
STAGING_PREFIX = ".restore-"  # a restore unpacks the files here, inside MEDIA_ROOT, before moving them in place
CHUNK = 1024 * 1024

# Numbered by each database when it is migrated: written and referred to by natural key, never by id.
NATURAL = (ContentType, Permission)
# Not backed up: logins end with a restore.
# Sessions: everyone logs in again. The figures' versions are the database's own: the triggers move them while a
# restore loads the rows, and bringing back older values could hand a worker figures it kept for them before.
SKIPPED = ("sessions.session", "cchc_portal.figuresversion")
# Rows that `migrate` itself creates; a database holding only these still counts as empty.
CREATED_BY_MIGRATE = (
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    "auth.group",  # the "Quản trị cấp tỉnh" group (agencies.roles), with its permissions
    "auth.group_permissions",
)
CREATED_BY_MIGRATE_APPS = ("django_celery_beat",)  # cchc_portal's migration 0002 schedules the reminder jobs


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the person running it."""


@dataclass
class Result:
    path: Path
    size: int
    seconds: float
    counts: dict[str, int]
    files: int
    file_bytes: int
    missing_files: list[str] = field(default_factory=list)


# --- what is backed up


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete model whose rows are backed up: content types and permissions first (the rest refer to them),
    then the others. Many-to-many tables created by Django come with their model's rows, not on their own."""
    chosen = [
        model
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed and model._meta.label_lower not in SKIPPED
    ]
    return sorted(chosen, key=lambda model: 0 if model in NATURAL else 1)


def counted_models() -> list[type[models.Model]]:
    """The models whose rows are counted in the manifest: those backed up and their many-to-many tables."""
    chosen = backed_up_models()
    through = [
        f.remote_field.through
        for model in chosen
        for f in model._meta.local_many_to_many
        if f.remote_field.through._meta.auto_created
    ]
    return chosen + through


def count_rows() -> dict[str, int]:
    """One COUNT(*) per table."""
    return {model._meta.label: model._base_manager.count() for model in counted_models()}


class ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to the millisecond; a backup keeps every microsecond."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class PortalSerializer(JSONSerializer):
    """Django's JSON serializer, with natural keys only for content types and permissions (see the module doc)."""

    def get_dump_object(self, obj):
        data = super().get_dump_object(obj)
        if isinstance(obj, NATURAL):
            del data["pk"]
        return data

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = field.remote_field.model in NATURAL
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = field.remote_field.model in NATURAL
        super().handle_m2m_field(obj, field)


def rows(model: type[models.Model]) -> Iterator[models.Model]:
    """All rows of ``model`` by primary key, with what the serializer reads joined or prefetched (no query per row)."""
    queryset = model._base_manager.order_by("pk")
    joined = [f.name for f in model._meta.local_fields if f.is_relation and f.remote_field.model in NATURAL]
    if joined:
        queryset = queryset.select_related(*joined)
    prefetched = []
    for f in model._meta.local_many_to_many:
        if not f.remote_field.through._meta.auto_created:
            continue  # a model of its own, backed up as such
        target = f.remote_field.model._base_manager.all()
        target = target.select_related("content_type") if f.remote_field.model is Permission else target.only("pk")
        prefetched.append(Prefetch(f.name, queryset=target))
    if prefetched:
        queryset = queryset.prefetch_related(*prefetched)
    return queryset.iterator(chunk_size=2000)


def dump_database(stream: io.TextIOBase) -> None:
    objects = (obj for model in backed_up_models() for obj in rows(model))
    PortalSerializer().serialize(objects, stream=stream, cls=ExactJSONEncoder)


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def portal_version() -> str:
    pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
    try:
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def media_files(root: Path) -> list[Path]:
    """Every regular file under ``root`` (links are not followed), sorted; leftovers of a stopped restore skipped."""
    if not root.is_dir():
        return []
    found = []
    for directory, dirnames, filenames in os.walk(root):
        if Path(directory) == root:
            dirnames[:] = [d for d in dirnames if not d.startswith(STAGING_PREFIX)]
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(directory, name)
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def referenced_files() -> set[str]:
    """The names stored in every file field (current rows and history rows)."""
    names: set[str] = set()
    for model in backed_up_models():
        for f in model._meta.local_fields:
            if isinstance(f, models.FileField):
                names.update(model._base_manager.exclude(**{f.attname: ""}).values_list(f.attname, flat=True))
    names.discard(None)
    return names


class HashingReader(io.RawIOBase):
    """A file read through this also gets its sha256 computed: each file is read once, as it goes into the archive."""

    def __init__(self, raw):
        self.raw = raw
        self.digest = hashlib.sha256()

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.raw.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


def add_file(archive: tarfile.TarFile, source: Path, name: str) -> dict:
    info = archive.gettarinfo(str(source), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with source.open("rb") as raw:
        reader = HashingReader(raw)
        archive.addfile(info, io.BufferedReader(reader, CHUNK))
    return {"path": name, "size": info.size, "sha256": reader.digest.hexdigest()}


def snapshot(dump: Path) -> tuple[dict[str, int], dict[str, list[str]], set[str]]:
    """Write every row to ``dump``; return the row counts, the applied migrations and the file names the rows
    refer to, all read in one transaction so that they agree with each other even while the portal is in use."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # a snapshot of the whole database, as of this first statement
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        counts = count_rows()
        with dump.open("w", encoding="utf-8") as stream:
            dump_database(stream)
        return counts, applied_migrations(), referenced_files()


def output_path(output: Path | None) -> Path:
    """A directory (existing, or a name without .tar.gz) gets a dated file name; anything else is the file."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    default_name = f"cchc-backup-{stamp}.tar.gz"
    if output is None:
        return Path(settings.DATA_DIR) / "backups" / default_name
    if output.is_dir() or not output.name.endswith((".tar.gz", ".tgz")):
        return output / default_name
    return output


def create_backup(output: Path | None = None) -> Result:
    """Write the archive to ``output`` (a file or a directory) and return what it holds."""
    started = time.monotonic()
    target = output_path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise BackupError(_("Tệp %(path)s đã có; hãy chọn tên khác.") % {"path": target})
    partial = target.with_name(target.name + ".partial")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="cchc-backup-") as scratch:
        dump = Path(scratch) / DATABASE
        counts, migrations, referenced = snapshot(dump)
        # Backups hold password hashes and personal data: readable by their owner only.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                database = add_file(archive, dump, DATABASE)
                files = [
                    add_file(archive, path, f"{MEDIA}/{path.relative_to(media_root).as_posix()}")
                    for path in media_files(media_root)
                ]
                stored = {entry["path"][len(MEDIA) + 1 :] for entry in files}
                manifest = {
                    "format": FORMAT,
                    "created_at": timezone.now().isoformat(),
                    "portal_version": portal_version(),
                    "database_vendor": connection.vendor,
                    "migrations": migrations,
                    "counts": counts,
                    "database": database,
                    "files": files,
                    "missing_files": sorted(referenced - stored),
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
                archive.addfile(info, io.BytesIO(data))
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return Result(
        path=target,
        size=target.stat().st_size,
        seconds=time.monotonic() - started,
        counts=counts,
        files=len(files),
        file_bytes=sum(entry["size"] for entry in files),
        missing_files=manifest["missing_files"],
    )


# --- restore


def _corrupted(path: Path, error: Exception) -> str:
    """What to tell the person restoring when the archive cannot be read (truncated, damaged, not gzip)."""
    return _(
        "Không đọc được tệp sao lưu %(path)s: tệp bị hỏng hoặc không trọn vẹn (%(error)s). Hãy chép lại tệp từ nơi "
        "lưu trữ, so mã kiểm tra sha256 của tệp, hoặc dùng một bản sao lưu khác."
    ) % {"path": path, "error": type(error).__name__}


def read_manifest(path: Path) -> dict:
    """Return the archive's manifest (its last member: this reads the whole archive once)."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                if member.name == MANIFEST and member.isfile():
                    manifest = json.loads(archive.extractfile(member).read())
                    break
            else:
                raise BackupError(_("%(path)s không phải tệp sao lưu của cổng (thiếu manifest.json).") % {"path": path})
    except (OSError, EOFError, tarfile.TarError, ValueError, zlib.error) as error:
        raise BackupError(_corrupted(path, error)) from error
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("Tệp sao lưu có định dạng %(format)s, phiên bản cổng này chỉ đọc định dạng %(ours)s.")
            % {"format": manifest.get("format"), "ours": FORMAT}
        )
    return manifest


def check_migrations(manifest: dict) -> None:
    """Refuse a backup of another database schema: its rows would not fit the tables."""
    ours = applied_migrations()
    theirs = manifest["migrations"]
    if ours == theirs:
        return

    def flat(applied: dict[str, list[str]]) -> set[str]:
        return {f"{app}.{name}" for app, names in applied.items() for name in names}

    missing, extra = sorted(flat(theirs) - flat(ours)), sorted(flat(ours) - flat(theirs))
    raise BackupError(
        _(
            "Cơ sở dữ liệu không cùng phiên bản với bản sao lưu (phiên bản cổng %(version)s). "
            "Migration có trong bản sao lưu mà cơ sở dữ liệu chưa có: %(missing)s. "
            "Migration cơ sở dữ liệu có mà bản sao lưu không có: %(extra)s. "
            "Hãy khôi phục bằng đúng phiên bản cổng đã tạo bản sao lưu, rồi mới nâng cấp."
        )
        % {
            "version": manifest.get("portal_version"),
            "missing": ", ".join(missing) or "—",
            "extra": ", ".join(extra) or "—",
        }
    )


def occupied_tables() -> list[str]:
    """The models that hold rows other than those `migrate` creates: a database with none of them is empty."""
    return [
        model._meta.label
        for model in counted_models()
        if model._meta.label_lower not in CREATED_BY_MIGRATE
        and model._meta.app_label not in CREATED_BY_MIGRATE_APPS
        and model._base_manager.exists()
    ]


def media_path(name: str) -> PurePosixPath:
    """The path under MEDIA_ROOT of an archive member ``media/…``; refuse anything that would land outside."""
    parts = PurePosixPath(name).parts
    if len(parts) < 2 or parts[0] != MEDIA or any(part in ("", ".", "..") for part in parts) or name.startswith("/"):
        raise BackupError(_("Tệp sao lưu chứa đường dẫn không hợp lệ: %(name)s") % {"name": name})
    return PurePosixPath(*parts[1:])


def extract(path: Path, manifest: dict, staging: Path, scratch: Path) -> Path:
    """Unpack the database dump into ``scratch`` and the files into ``staging``, checking each file's size and
    sha256 against the manifest; return the dump's path. Nothing outside these two folders is written."""
    expected = {entry["path"]: entry for entry in manifest["files"]}
    expected[DATABASE] = manifest["database"]
    done: set[str] = set()
    try:
        with tarfile.open(path, "r|gz") as archive:
            for member in archive:
                if member.name == MANIFEST:
                    continue
                entry = expected.get(member.name)
                if entry is None or not member.isfile() or member.name in done:
                    raise BackupError(
                        _("Tệp sao lưu chứa mục không có trong manifest: %(name)s") % {"name": member.name}
                    )
                if member.name == DATABASE:
                    destination = scratch / DATABASE
                else:
                    destination = staging.joinpath(*media_path(member.name).parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with archive.extractfile(member) as source, destination.open("xb") as target:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        target.write(chunk)
                if member.size != entry["size"] or digest.hexdigest() != entry["sha256"]:
                    raise BackupError(
                        _("Tệp %(name)s trong bản sao lưu bị hỏng (sai mã kiểm tra sha256).") % {"name": member.name}
                    )
                done.add(member.name)
    except (OSError, EOFError, tarfile.TarError, zlib.error) as error:
        raise BackupError(_corrupted(path, error)) from error
    if missing := sorted(set(expected) - done):
        raise BackupError(
            _("Tệp sao lưu thiếu %(count)s tệp ghi trong manifest, ví dụ %(name)s.")
            % {"count": len(missing), "name": missing[0]}
        )
    return scratch / DATABASE


def load_database(dump: Path, manifest: dict) -> dict[str, int]:
    """Replace every row with the dump's, in one transaction; then reset the id sequences and check the counts.

    Content types and permissions are kept (the dump's are matched by natural key); everything else, sessions
    included, is emptied first. Any error rolls the whole database back.
    """
    emptied = [model for model in counted_models() if model not in NATURAL]
    if apps.is_installed("django.contrib.sessions"):
        emptied.append(apps.get_model("sessions", "Session"))
    with transaction.atomic():
        with connection.cursor() as cursor:
            tables = [model._meta.db_table for model in emptied]
            for sql in connection.ops.sql_flush(no_style(), tables, reset_sequences=False, allow_cascade=False):
                cursor.execute(sql)
        call_command("loaddata", str(dump), verbosity=0)
        with connection.cursor() as cursor:  # what `manage.py sqlsequencereset` prints, for every table
            for sql in connection.ops.sequence_reset_sql(no_style(), counted_models()):
                cursor.execute(sql)
        counts = count_rows()
        natural = {model._meta.label for model in NATURAL}
        wrong = [
            f"{label}: {counts.get(label)} ≠ {expected}"
            for label, expected in manifest["counts"].items()
            if (counts.get(label, 0) < expected if label in natural else counts.get(label) != expected)
        ]
        if wrong:
            raise BackupError(
                _("Số bản ghi sau khi khôi phục không khớp bản sao lưu: %(wrong)s") % {"wrong": "; ".join(wrong)}
            )
    ContentType.objects.clear_cache()
    return counts


def put_files_in_place(staging: Path, media_root: Path) -> None:
    """Replace what MEDIA_ROOT holds with the unpacked files (renames on the same file system)."""
    for entry in media_root.iterdir():
        if entry == staging:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for entry in staging.iterdir():
        os.replace(entry, media_root / entry.name)
    staging.rmdir()


def restore_backup(path: Path, *, force: bool = False) -> Result:
    """Restore the archive at ``path`` into this database and MEDIA_ROOT.

    Refuses a database or MEDIA_ROOT that already holds data unless ``force``, and an archive made under other
    migrations. Checks every checksum before changing anything; loads the database all or nothing; only then
    replaces the files.
    """
    started = time.monotonic()
    if not path.is_file():
        raise BackupError(_("Không có tệp %(path)s.") % {"path": path})
    manifest = read_manifest(path)
    check_migrations(manifest)
    media_root = Path(settings.MEDIA_ROOT)
    if not force:
        occupied = occupied_tables()
        if occupied:
            raise BackupError(
                _(
                    "Cơ sở dữ liệu đang có dữ liệu (%(tables)s). Khôi phục sẽ xoá toàn bộ dữ liệu này; "
                    "nếu đúng ý muốn, chạy lại với --force."
                )
                % {"tables": ", ".join(occupied[:5]) + ("…" if len(occupied) > 5 else "")}
            )
        if media_files(media_root):
            raise BackupError(
                _(
                    "Thư mục tệp tải lên %(path)s đang có tệp. Khôi phục sẽ xoá các tệp này; "
                    "nếu đúng ý muốn, chạy lại với --force."
                )
                % {"path": media_root}
            )
    media_root.mkdir(parents=True, exist_ok=True)
    staging = media_root / f"{STAGING_PREFIX}{secrets.token_hex(6)}"
    staging.mkdir()
    try:
        with tempfile.TemporaryDirectory(prefix="cchc-restore-") as scratch:
            dump = extract(path, manifest, staging, Path(scratch))
            try:
                counts = load_database(dump, manifest)
            except (DatabaseError, DeserializationError) as error:
                raise BackupError(
                    _("Không nạp được dữ liệu của bản sao lưu; cơ sở dữ liệu giữ nguyên như trước. Lỗi: %(error)s")
                    % {"error": error}
                ) from error
        put_files_in_place(staging, media_root)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return Result(
        path=path,
        size=path.stat().st_size,
        seconds=time.monotonic() - started,
        counts=counts,
        files=len(manifest["files"]),
        file_bytes=sum(entry["size"] for entry in manifest["files"]),
        missing_files=manifest.get("missing_files", []),
    )
