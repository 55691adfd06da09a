"""`manage.py restore FILE [--force]`: put a backup made by `manage.py backup` back (see cchc_portal.backup)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cchc_portal.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = _(
        "Khôi phục một bản sao lưu vào cơ sở dữ liệu vừa tạo (đã migrate) và thư mục tệp tải lên trống. "
        "Dừng web, worker và beat trước khi khôi phục."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help=_("Tệp .tar.gz do lệnh backup tạo ra."))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Xoá dữ liệu và tệp tải lên đang có rồi thay bằng bản sao lưu."),
        )

    def handle(self, *args, file: Path, force: bool, **options):
        try:
            result = restore_backup(file, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Đã khôi phục %(path)s (%(seconds).1f giây): %(rows)s bản ghi, %(files)s tệp (%(mb).1f MB).")
                % {
                    "path": result.path,
                    "seconds": result.seconds,
                    "rows": sum(result.counts.values()),
                    "files": result.files,
                    "mb": result.file_bytes / 1e6,
                }
            )
        )
        if result.missing_files:
            self.stderr.write(
                self.style.WARNING(
                    _(
                        "Cảnh báo: bản sao lưu thiếu %(count)s tệp mà dữ liệu nhắc đến (đã thiếu từ khi sao lưu), ví dụ %(name)s."
                    )
                    % {"count": len(result.missing_files), "name": result.missing_files[0]}
                )
            )
