"""`manage.py backup [--output DIR_OR_FILE]`: the database and the uploaded files in one .tar.gz (see cchc_portal.backup)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cchc_portal.backup import BackupError, create_backup


class Command(BaseCommand):
    help = _("Sao lưu toàn bộ cơ sở dữ liệu và các tệp tải lên vào một tệp .tar.gz.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help=_("Thư mục (tên tệp đặt theo ngày giờ) hoặc tên tệp .tar.gz. Mặc định: DATA_DIR/backups/."),
        )

    def handle(self, *args, output: Path | None, **options):
        try:
            result = create_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(result.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Đã sao lưu vào %(path)s (%(size).1f MB, %(seconds).1f giây): %(rows)s bản ghi, %(files)s tệp (%(mb).1f MB)."
                )
                % {
                    "path": result.path,
                    "size": result.size / 1e6,
                    "seconds": result.seconds,
                    "rows": rows,
                    "files": result.files,
                    "mb": result.file_bytes / 1e6,
                }
            )
        )
        if result.missing_files:
            self.stderr.write(
                self.style.WARNING(
                    _(
                        "Cảnh báo: %(count)s tệp được dữ liệu nhắc đến nhưng không có trong thư mục tệp tải lên, ví dụ %(name)s "
                        "(danh sách đầy đủ trong manifest.json, mục missing_files)."
                    )
                    % {"count": len(result.missing_files), "name": result.missing_files[0]}
                )
            )
