"""Load or refresh the demo data (idempotent): three provinces' agencies, the four seed documents, demo users."""

from django.core.management.base import BaseCommand

from cchc_portal.demo import FIXTURES, load_demo
from cchc_portal.demo_year import live_now


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu: danh mục cả nước, cơ quan của các tỉnh mẫu, 4 văn bản mẫu và (ở chế độ demo) các tài khoản demo; chạy lại không tạo trùng."

    def add_arguments(self, parser):
        parser.add_argument("--no-users", action="store_true", help="Không tạo tài khoản demo.")
        parser.add_argument("--users", action="store_true", help="Tạo tài khoản demo kể cả khi DEMO_MODE=False.")
        parser.add_argument(
            "--no-living-year",
            action="store_true",
            help="Không tạo kế hoạch năm nay của Đắk Lắk cùng một năm báo cáo mẫu (mặc định: có, ở chế độ demo).",
        )
        parser.add_argument(
            "--demo-provinces-only",
            action="store_true",
            help="Chỉ nạp danh mục của các tỉnh dùng trong dữ liệu mẫu (nhanh hơn); mặc định nạp cả nước.",
        )

    def handle(self, *args, no_users: bool, users: bool, demo_provinces_only: bool, no_living_year: bool, **options):
        create = False if no_users else (True if users else None)
        report = load_demo(create_users=create, country=not demo_provinces_only)
        for line in report.directory.lines()[:4]:
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nạp: {report.provinces} tỉnh, {report.agencies} cơ quan, {report.groups} nhóm, "
                f"{report.documents} văn bản, {report.tasks} nhiệm vụ, {report.indicators} chỉ tiêu."
            )
        )
        if report.users:
            self.stdout.write("Tài khoản demo (mật khẩu demo12345): " + ", ".join(report.users))
        if report.users and not no_living_year:
            living = live_now((FIXTURES / "kh-275-phu-luc.xlsx").read_bytes())
            self.stdout.write(
                f"Kế hoạch {living.document.number} năm {living.document.year} của Đắk Lắk: {living.tasks} nhiệm vụ"
                + (
                    ""
                    if living.skipped
                    else f", {living.updates} báo cáo tiến độ, {living.returned} lần trả lại, "
                    f"{living.extensions} đề nghị gia hạn"
                )
                + "."
            )
