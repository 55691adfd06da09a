"""python manage.py generate_synthetic --provinces N: build realistic synthetic provinces for scale tests."""

import time

from django.core.management.base import BaseCommand

from cchc_portal.synthetic import add_history, add_indicators, generate


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu giả lập cho thử tải: mỗi tỉnh khoảng 30 sở, 100 xã, kế hoạch năm 60 nhiệm vụ giao cho nhóm, "
        "kế hoạch riêng 30 nhiệm vụ của mỗi cơ quan, báo cáo tiến độ hằng tháng. Mật khẩu các tài khoản: demo12345."
    )

    def add_arguments(self, parser):
        parser.add_argument("--provinces", type=int, default=1)
        parser.add_argument("--year", type=int, default=2025)
        parser.add_argument("--updates-per-month", type=int, default=1)
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--communes", type=int, default=100, help="Số xã mỗi tỉnh (mặc định 100).")
        parser.add_argument(
            "--history-tasks",
            type=int,
            default=0,
            help="Số nhiệm vụ (dùng chung nhiều cơ quan nhất) của tỉnh đầu tiên được ghi 12 báo cáo tháng qua đường ghi của cổng.",
        )
        parser.add_argument(
            "--indicators",
            type=int,
            default=0,
            help="Số chỉ tiêu thêm vào kế hoạch năm của tỉnh đầu tiên (mặc định 0).",
        )

    def handle(self, *args, provinces: int, year: int, updates_per_month: int, seed: int, communes: int, **options):
        started = time.perf_counter()
        report = generate(provinces, year=year, updates_per_month=updates_per_month, seed=seed, communes=communes)
        if options["history_tasks"]:
            add_history("syn-01", tasks=options["history_tasks"])
        if options["indicators"]:
            add_indicators("syn-01", options["indicators"], year=year, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo {report.provinces} tỉnh: {report.agencies} cơ quan, {report.users} tài khoản, {report.tasks} nhiệm vụ, "
                f"{report.assignments} phân công, {report.updates} báo cáo tiến độ trong {time.perf_counter() - started:.1f} giây."
            )
        )
