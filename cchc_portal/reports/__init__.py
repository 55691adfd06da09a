"""Periodic reports (báo cáo định kỳ) in the browser, at /reports/."""
