"""Load or refresh the demo data (idempotent): three provinces' agencies, the four seed documents, demo users."""

from django.core.management.base import BaseCommand

from cchc_portal.demo import load_demo


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu: cơ quan của 3 tỉnh, 4 văn bản mẫu và (ở chế độ demo) các tài khoản demo; chạy lại không tạo trùng."

    def add_arguments(self, parser):
        parser.add_argument("--no-users", action="store_true", help="Không tạo tài khoản demo.")
        parser.add_argument("--users", action="store_true", help="Tạo tài khoản demo kể cả khi DEMO_MODE=False.")

    def handle(self, *args, no_users: bool, users: bool, **options):
        create = False if no_users else (True if users else None)
        report = load_demo(create_users=create)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nạp: {report.provinces} tỉnh, {report.agencies} cơ quan, {report.groups} nhóm, "
                f"{report.documents} văn bản, {report.tasks} nhiệm vụ, {report.indicators} chỉ tiêu."
            )
        )
        if report.users:
            self.stdout.write("Tài khoản demo (mật khẩu demo12345): " + ", ".join(report.users))
