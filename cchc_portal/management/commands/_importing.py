"""What import_appendix and import_indicators share: options, reading, printing."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies.models import Province
from cchc_portal.documents import services
from plans.models import Document
from plans.tables import TableError


class ImportCommand(BaseCommand):
    kind = "tasks"

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp .xlsx hoặc .docx (hoặc văn bản có cột phân cách bằng tab).")
        parser.add_argument("--document", required=True, help="Số văn bản, ví dụ 275/KH-UBND.")
        parser.add_argument("--province", help="Mã tỉnh (ví dụ phu-yen); cần khi văn bản chưa có trong cổng.")
        parser.add_argument("--year", type=int, help="Năm của văn bản mới (mặc định: năm nay).")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ đọc và kiểm tra, không ghi gì.")
        parser.add_argument("--json", action="store_true", help="In bản xem trước dạng JSON.")
        if self.kind == "tasks":
            parser.add_argument(
                "--same-task",
                type=int,
                action="append",
                default=[],
                metavar="HÀNG",
                help="Hàng của tệp sửa tên một nhiệm vụ đã có báo cáo: vẫn là nhiệm vụ đó (có thể lặp lại).",
            )
            parser.add_argument(
                "--new-task",
                type=int,
                action="append",
                default=[],
                metavar="HÀNG",
                help="Hàng của tệp đứng chỗ một nhiệm vụ đã có báo cáo: là nhiệm vụ mới (có thể lặp lại).",
            )

    def handle(
        self,
        *args,
        file: str,
        document: str,
        province: str | None,
        year: int | None,
        dry_run: bool,
        json: bool,
        **options,
    ):
        choices = {row: "same" for row in options.get("same_task") or []} | {
            row: "new" for row in options.get("new_task") or []
        }
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        try:
            with transaction.atomic():
                doc = services.find_or_draft_document(document, province_code=province, year=year, create=not dry_run)
                data = path.read_bytes()
                if dry_run:
                    preview, result = services.preview_file(doc, data, path.name, self.kind, choices=choices), None
                else:
                    preview, result = services.import_file(doc, data, path.name, self.kind, choices=choices)
                    if preview.errors:
                        transaction.set_rollback(True)  # nothing, not even the draft document, is written
        except TableError as error:
            raise CommandError(error.message) from None
        except (Document.DoesNotExist, Document.MultipleObjectsReturned, Province.DoesNotExist) as error:
            raise CommandError(str(error) or f"Không tìm thấy tỉnh {province}.") from None
        self.report(preview, result, as_json=json, dry_run=dry_run)
        if preview.errors:
            raise CommandError(f"Bảng có {len(preview.errors)} lỗi; không ghi gì.")

    def report(self, preview, result, *, as_json: bool, dry_run: bool) -> None:
        payload = preview.as_json()
        if as_json:
            if result is not None:
                payload["result"] = result
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.print_summary(payload)
        for message in payload["errors"]:
            self.stdout.write(self.style.ERROR(f"LỖI  {message}"))
        for message in payload["warnings"]:
            self.stdout.write(self.style.WARNING(f"CẢNH BÁO  {message}"))
        if dry_run:
            self.stdout.write("Chạy thử (--dry-run): chưa ghi gì.")
        elif result is not None:
            self.stdout.write(self.style.SUCCESS("Đã ghi: " + ", ".join(f"{k}={v}" for k, v in result.items())))

    def print_summary(self, payload: dict) -> None:
        raise NotImplementedError
