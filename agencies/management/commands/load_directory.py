"""python manage.py load_directory: load or complete the country's directory (idempotent, never deletes)."""

from django.core.management.base import BaseCommand, CommandError

from agencies.directory import current_province_code, load_directory, plan_country
from agencies.models import ProvinceNotFound


class Command(BaseCommand):
    help = (
        "Nạp danh mục hành chính: 34 tỉnh, thành phố và 3.321 xã, phường, đặc khu (gói vietnam-provinces), các cơ quan "
        "chuẩn của từng tỉnh, cấp Trung ương và lịch sử sáp nhập năm 2025. Chạy lại không tạo trùng, không xóa; cơ quan "
        "đã có được khớp theo tên và tên gọi khác."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province",
            action="append",
            default=[],
            metavar="MÃ",
            help="Chỉ nạp tỉnh này (mã như dak-lak hoặc mã số 66); có thể lặp lại. Mặc định: cả nước.",
        )
        parser.add_argument("--list", action="store_true", help="Liệt kê mã các tỉnh, thành phố hiện hành rồi dừng.")

    def handle(self, *args, province: list[str], list: bool, **options):
        specs = [s for s in plan_country() if not s.is_central and s.valid_to is None]
        if list:
            for spec in specs:
                self.stdout.write(f"{spec.code:<16} {spec.number:>3}  {spec.name}")
            return
        only = None
        if province:
            try:
                only = [current_province_code(text) for text in province]
            except ProvinceNotFound as error:
                raise CommandError(str(error)) from error
        report = load_directory(only)
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Đã nạp xong danh mục."))
