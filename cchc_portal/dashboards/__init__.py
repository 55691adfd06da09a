"""Dashboards for Sở Nội vụ and Văn phòng UBND tỉnh, and the periodic report exports."""
