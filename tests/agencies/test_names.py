"""Tests of agencies.names: folding, splitting agency cells, matching keys.

The cells are copied literally from the seed documents and the real appendices the portal imports (Phú Yên
275/KH-UBND, Bình Định chỉ tiêu 2022, Tuyên Quang 4918/UBND-NC, Phú Yên CV 2022, Bắc Ninh 144/KH-UBND,
Bộ VHTTDL 6225/BVHTTDL-VP, Đồng Nai 179/KH-UBND, VPCP TB 624), line breaks included: a test never reads them
from disk. Pure Python: runs with ``pytest -p no:django``.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agencies.names import NamePart, key_variants, name_key, parse_agency_cell, split_agency_cell
from core.text import _fold_text, fold


def case(source: str, text: str, *expected: str):
    """One split case; the id names the document the cell comes from."""
    return pytest.param(text, list(expected), id=f"{source}: {text[:60]!r}")


SPLIT_CASES = [
    # --- Phú Yên, KH 275/KH-UBND (2024), appendix and body
    case(
        "py275",
        "Văn phòng UBND tỉnh, Sở Nội vụ, Sở Thông tin và Truyền thông",
        "Văn phòng UBND tỉnh",
        "Sở Nội vụ",
        "Sở Thông tin và Truyền thông",
    ),
    case("py275", "Các sở, ban, ngành liên quan", "Các sở, ban, ngành liên quan"),
    case("py275", "Sở Nội vụ", "Sở Nội vụ"),
    case("py275", "Các sở, ban, ngành; UBND cấp huyện", "Các sở, ban, ngành", "UBND cấp huyện"),
    case("py275", "Các sở, ban, ngành; UBND cấp huyện, cấp xã", "Các sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã"),
    case("py275", "Các sở, ban, ngành; UBND cấp huyện; cấp xã", "Các sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã"),
    case("py275", "Các cơ quan, đơn vị liên quan", "Các cơ quan, đơn vị liên quan"),
    case("py275", "Các sở, ban, ngành", "Các sở, ban, ngành"),
    case("py275", "Các sở, ban, ngành, UBND cấp huyện", "Các sở, ban, ngành", "UBND cấp huyện"),
    case(
        "py275",
        "Văn phòng UBND tỉnh; UBND cấp huyện, UBND cấp xã",
        "Văn phòng UBND tỉnh",
        "UBND cấp huyện",
        "UBND cấp xã",
    ),
    case("py275", "Các sở, ban, ngành; địa phương", "Các sở, ban, ngành", "địa phương"),
    case("py275", "Các sở, ban, ngành tỉnh; UBND cấp huyện", "Các sở, ban, ngành tỉnh", "UBND cấp huyện"),
    case(
        "py275",
        "Các sở, ban, ngành tỉnh; UBND cấp huyện, cấp xã",
        "Các sở, ban, ngành tỉnh",
        "UBND cấp huyện",
        "UBND cấp xã",
    ),
    case("py275", "Đài Phát thanh - Truyền hình tỉnh; Báo Phú Yên", "Đài Phát thanh - Truyền hình tỉnh", "Báo Phú Yên"),
    case("py275", "Sở Nội vụ, Sở Thông tin và Truyền thông", "Sở Nội vụ", "Sở Thông tin và Truyền thông"),
    case(
        "py275",
        "Sở Thông tin và Truyền thông; Văn phòng UBND tỉnh",
        "Sở Thông tin và Truyền thông",
        "Văn phòng UBND tỉnh",
    ),
    case(
        "py275", "Đài Phát thanh và Truyền hình tỉnh, Báo Phú Yên", "Đài Phát thanh và Truyền hình tỉnh", "Báo Phú Yên"
    ),
    case(
        "py275",
        "Cổng Thông tin điện tử tỉnh, Báo Phú Yên và Đài Phát thanh và Truyền hình Phú Yên",
        "Cổng Thông tin điện tử tỉnh",
        "Báo Phú Yên",
        "Đài Phát thanh và Truyền hình Phú Yên",
    ),
    case("py275", "Báo PY, Đài PT và TH tỉnh", "Báo PY", "Đài PT và TH tỉnh"),
    case(
        "py275",
        "Các sở, ban, ngành và UBND các huyện, thị xã, thành phố",
        "Các sở, ban, ngành",
        "UBND các huyện, thị xã, thành phố",
    ),
    case("py275", "UBND các huyện, thị xã, thành phố;", "UBND các huyện, thị xã, thành phố"),
    # --- Bình Định, chỉ tiêu CCHC 2022
    case(
        "bd2022",
        "Các cơ quan Trung ương đóng trên địa bàn tỉnh; Các cơ quan chuyên môn thuộc tỉnh, Ban Quản lý Khu kinh tế"
        " tỉnh; Ủy ban nhân dân cấp huyện, cấp xã",
        "Các cơ quan Trung ương đóng trên địa bàn tỉnh",
        "Các cơ quan chuyên môn thuộc tỉnh",
        "Ban Quản lý Khu kinh tế tỉnh",
        "Ủy ban nhân dân cấp huyện",
        "Ủy ban nhân dân cấp xã",
    ),
    case("bd2022", "Sở Tài chính, Cục Thuế tỉnh", "Sở Tài chính", "Cục Thuế tỉnh"),
    case(
        "bd2022",
        "Văn phòng Ủy ban nhân dân tỉnh, Cục Thuế tỉnh, Sở Tài nguyên và Môi trường",
        "Văn phòng Ủy ban nhân dân tỉnh",
        "Cục Thuế tỉnh",
        "Sở Tài nguyên và Môi trường",
    ),
    case(
        "bd2022",
        "Trung tâm Phục vụ hành chính công tỉnh, Ủy ban nhân dân cấp huyện.",
        "Trung tâm Phục vụ hành chính công tỉnh",
        "Ủy ban nhân dân cấp huyện",
    ),
    case(
        "bd2022",
        "Văn phòng Ủy ban nhân dân tỉnh, Sở Giáo dục và Đào tạo, Sở Y tế",
        "Văn phòng Ủy ban nhân dân tỉnh",
        "Sở Giáo dục và Đào tạo",
        "Sở Y tế",
    ),
    case(
        "bd2022",
        "- Các Trường: Cao đẳng Y tế Bình Định, Cao đẳng Kỹ thuật công nghệ Bình Định; - Các bệnh viện từ hạng 2"
        " trở lên trên địa bàn tỉnh;",
        "Trường Cao đẳng Y tế Bình Định",
        "Trường Cao đẳng Kỹ thuật công nghệ Bình Định",
        "Các bệnh viện từ hạng 2 trở lên trên địa bàn tỉnh",
    ),
    case(
        "bd2022",
        "- Các Trường: Cao đẳng Y tế Bình Định, Cao đẳng Kỹ thuật công nghệ Bình Định;\n- Các bệnh viện từ hạng 2"
        " trở lên trên địa bàn tỉnh;",
        "Trường Cao đẳng Y tế Bình Định",
        "Trường Cao đẳng Kỹ thuật công nghệ Bình Định",
        "Các bệnh viện từ hạng 2 trở lên trên địa bàn tỉnh",
    ),
    case("bd2022", "Ủy ban nhân dân cấp huyện, cấp xã", "Ủy ban nhân dân cấp huyện", "Ủy ban nhân dân cấp xã"),
    case(
        "bd2022",
        "Các cơ quan, đơn vị, địa phương trên địa bàn tỉnh",
        "Các cơ quan, đơn vị, địa phương trên địa bàn tỉnh",
    ),
    case(
        "bd2022",
        "- Các sở, ngành và tương đương thuộc Ủy ban nhân dân tỉnh",
        "Các sở, ngành và tương đương thuộc Ủy ban nhân dân tỉnh",
    ),
    case("bd2022", "- Ủy ban nhân dân các xã, phường, thị trấn.", "Ủy ban nhân dân các xã, phường, thị trấn"),
    case(
        "bd2022",
        "Các Sở: Giáo dục và Đào tạo, Y tế chủ trì, phối hợp với Văn phòng Ủy ban nhân dân tỉnh và các cơ quan,"
        " đơn vị liên quan",
        "Sở Giáo dục và Đào tạo",
        "Sở Y tế",
        "Văn phòng Ủy ban nhân dân tỉnh",
        "các cơ quan, đơn vị liên quan",
    ),
    case("bd2022", "Đài PT&TH tỉnh, Báo Bình Định", "Đài PT&TH tỉnh", "Báo Bình Định"),
    case(
        "bd2022",
        "Văn phòng Ủy ban nhân dân tỉnh, Sở Nội vụ, Sở Tư pháp",
        "Văn phòng Ủy ban nhân dân tỉnh",
        "Sở Nội vụ",
        "Sở Tư pháp",
    ),
    case("bd2022", "Sở Thông tin và Truyền thông, Sở Ngoại vụ", "Sở Thông tin và Truyền thông", "Sở Ngoại vụ"),
    case(
        "bd2022",
        "- Thủ trưởng các cơ quan Trung ương đóng trên địa bàn tỉnh;\n- Giám đốc các sở, ban, ngành thuộc tỉnh;\n"
        "- Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố.",
        "Thủ trưởng các cơ quan Trung ương đóng trên địa bàn tỉnh",
        "Giám đốc các sở, ban, ngành thuộc tỉnh",
        "Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố",
    ),
    # --- Tuyên Quang, 4918/UBND-NC
    case(
        "tq4918",
        "- Các sở, ban, ngành thuộc tỉnh;\n- Ủy ban nhân dân huyện, thành phố.",
        "Các sở, ban, ngành thuộc tỉnh",
        "Ủy ban nhân dân huyện, thành phố",
    ),
    case(
        "tq4918",
        "(1) Các Sở: Lao động - Thương binh và Xã hội; Tài nguyên và Môi trường; Văn hóa, Thể thao và Du lịch;"
        " Y tế; Thông tin và Truyền thông; Khoa học và Công nghệ.",
        "Sở Lao động - Thương binh và Xã hội",
        "Sở Tài nguyên và Môi trường",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Y tế",
        "Sở Thông tin và Truyền thông",
        "Sở Khoa học và Công nghệ",
    ),
    case(
        "tq4918",
        "- Các huyện: Lâm Bình, Chiêm Hóa, thành phố Tuyên Quang.",
        "Huyện Lâm Bình",
        "Huyện Chiêm Hóa",
        "thành phố Tuyên Quang",
    ),
    # --- Phú Yên, công văn 2022
    case(
        "py2022",
        "- Các Sở, ban, ngành tỉnh;\n- UBND các huyện, thị xã, thành phố.",
        "Các Sở, ban, ngành tỉnh",
        "UBND các huyện, thị xã, thành phố",
    ),
    case(
        "py2022",
        "Sở Tài nguyên và Môi trường và các sở, ngành, địa phương liên quan",
        "Sở Tài nguyên và Môi trường",
        "các sở, ngành, địa phương liên quan",
    ),
    # --- Bắc Ninh, KH 144/KH-UBND (2025): role words after the names
    case(
        "bn144",
        "Sở KH&CN chủ trì hướng dẫn, tổng hợp; Các sở, ngành, UBND cấp xã thực\nhiện công bố dữ liệu mở hằng năm"
        " theo lĩnh vực quản lý.",
        "Sở KH&CN",
        "Các sở, ngành",
        "UBND cấp xã",
    ),
    case("bn144", "Sở Khoa học và Công nghệ thúc đẩy, theo dõi, báo cáo chỉ tiêu", "Sở Khoa học và Công nghệ"),
    case(
        "bn144",
        "Sở Giáo dục và Đào tạo; Sở Nội vụ; Sở Khoa học và Công nghệ thúc đẩy,\ntheo dõi, báo cáo chỉ tiêu",
        "Sở Giáo dục và Đào tạo",
        "Sở Nội vụ",
        "Sở Khoa học và Công nghệ",
    ),
    case("bn144", "Ngân hàng nhà nước khu vực XII", "Ngân hàng nhà nước khu vực XII"),
    case("bn144", "Tỉnh đoàn", "Tỉnh đoàn"),
    case("bn144", "Công an tỉnh", "Công an tỉnh"),
    # --- Bộ VHTTDL, CV 6225/BVHTTDL-VP: "Các Cục: …" lists, numbered parts, titles
    case("vhttdl6225", "Các Cục: Di sản văn hóa, Bản quyền tác giả", "Cục Di sản văn hóa", "Cục Bản quyền tác giả"),
    case(
        "vhttdl6225",
        "Cục trưởng các Cục: Di sản văn hóa, Bản quyền\ntác giả",
        "Cục trưởng Cục Di sản văn hóa",
        "Cục trưởng Cục Bản quyền tác giả",
    ),
    case(
        "vhttdl6225",
        "Các Cục: Bản quyền tác giả; Phát thanh truyền\nhình và Thông tin điện tử; Xuất bản, In và Phát hành; Báo chí;"
        "\nDu lịch Quốc\ngia Việt Nam. Vụ Kế hoạch, Tài chính.",
        "Cục Bản quyền tác giả",
        "Cục Phát thanh truyền hình và Thông tin điện tử",
        "Cục Xuất bản, In và Phát hành",
        "Cục Báo chí",
        "Cục Du lịch Quốc gia Việt Nam",
        "Vụ Kế hoạch, Tài chính",
    ),
    case(
        "vhttdl6225",
        "Cục trưởng các Cục: Bản quyền tác giả; Phát\nthanh truyền hình và Thông tin điện tử; Xuất bản, In và Phát"
        " hành; Báo chí;\nDu lịch Quốc gia Việt Nam. Vụ trưởng Vụ Kế hoạch, Tài chính",
        "Cục trưởng Cục Bản quyền tác giả",
        "Cục trưởng Cục Phát thanh truyền hình và Thông tin điện tử",
        "Cục trưởng Cục Xuất bản, In và Phát hành",
        "Cục trưởng Cục Báo chí",
        "Cục trưởng Cục Du lịch Quốc gia Việt Nam",
        "Vụ trưởng Vụ Kế hoạch, Tài chính",
    ),
    case(
        "vhttdl6225",
        "(1) Giám đốc Trung tâm Chuyển đổi số VHTTDL;\n(2) Cục trưởng Cục DLQGVN",
        "Giám đốc Trung tâm Chuyển đổi số VHTTDL",
        "Cục trưởng Cục DLQGVN",
    ),
    case("vhttdl6225", "Trung tâm Chuyển đổi số VHTTDL; Cục DLQGVN", "Trung tâm Chuyển đổi số VHTTDL", "Cục DLQGVN"),
    case(
        "vhttdl6225", "Văn phòng Bộ, Trung tâm Chuyển đổi số VHTTDL", "Văn phòng Bộ", "Trung tâm Chuyển đổi số VHTTDL"
    ),
    case(
        "vhttdl6225", "Văn phòng Bộ; Trung tâm Chuyển đổi số VHTTDL", "Văn phòng Bộ", "Trung tâm Chuyển đổi số VHTTDL"
    ),
    case(
        "vhttdl6225",
        "Cục Phát thanh truyền hình và Thông tin điện\ntử",
        "Cục Phát thanh truyền hình và Thông tin điện tử",
    ),
    case(
        "vhttdl6225",
        "Các đơn vị được giao xây dựng hồ sơ công bố\nTTHC",
        "Các đơn vị được giao xây dựng hồ sơ công bố TTHC",
    ),
    case("vhttdl6225", "Các đơn vị được giao thực hiện TTHC", "Các đơn vị được giao thực hiện TTHC"),
    case(
        "vhttdl6225",
        "Thủ trưởng các đơn vị được giao thực hiện\nTTHC",
        "Thủ trưởng các đơn vị được giao thực hiện TTHC",
    ),
    case(
        "vhttdl6225",
        "Trung tâm Chuyển đổi số VHTTDL; các đơn vị có\nhệ thống thông tin, cơ sở dữ liệu",
        "Trung tâm Chuyển đổi số VHTTDL",
        "các đơn vị có hệ thống thông tin, cơ sở dữ liệu",
    ),
    case(
        "vhttdl6225",
        "Giám đốc Trung tâm Chuyển đổi số VHTTDL; Thủ\ntrưởng các đơn vị có hệ thống thông tin, cơ sở dữ liệu",
        "Giám đốc Trung tâm Chuyển đổi số VHTTDL",
        "Thủ trưởng các đơn vị có hệ thống thông tin, cơ sở dữ liệu",
    ),
    case("vhttdl6225", "Cơ quan, đơn vị liên quan", "Cơ quan, đơn vị liên quan"),
    case("vhttdl6225", "Vụ Khoa học công nghệ, Đào tạo và Môi trường", "Vụ Khoa học công nghệ, Đào tạo và Môi trường"),
    # --- Đồng Nai, KH 179/KH-UBND (2025)
    case("dn179", "Các sở, ban, ngành; UBND các phường, xã", "Các sở, ban, ngành", "UBND các phường, xã"),
    case("dn179", "Các sở, ban, ngành; UBND các phường xã", "Các sở, ban, ngành", "UBND các phường xã"),
    case("dn179", "Các sở, ban,\nngành; UBND các phường, xã", "Các sở, ban, ngành", "UBND các phường, xã"),
    case("dn179", "Sở Khoa học và\nCông nghệ", "Sở Khoa học và Công nghệ"),
    case("dn179", "Sở Nông nghiệp và\nMôi trường", "Sở Nông nghiệp và Môi trường"),
    case(
        "dn179",
        "Các sở, ban, ngành; UBND các phường, xã; Các\ndoanh nghiệp cung cấp dịch vụ bưu chính",
        "Các sở, ban, ngành",
        "UBND các phường, xã",
        "Các doanh nghiệp cung cấp dịch vụ bưu chính",
    ),
    case(
        "dn179",
        "UBND các phường xã; Các doanh nghiệp cung cấp dịch\nvụ viễn thông",
        "UBND các phường xã",
        "Các doanh nghiệp cung cấp dịch vụ viễn thông",
    ),
    case("dn179", "Ban Quản lý các Khu công nghiệp, khu kinh tế", "Ban Quản lý các Khu công nghiệp, khu kinh tế"),
    case(
        "dn179",
        "Ban Quản lý các Khu công nghiệp khu kinh tế, Sở\nTài chính, UBND các phường, xã có liên quan",
        "Ban Quản lý các Khu công nghiệp khu kinh tế",
        "Sở Tài chính",
        "UBND các phường, xã có liên quan",
    ),
    case(
        "dn179",
        "Các cơ quan quản lý các lĩnh vực trọng điểm tại\nđiểm d, khoản 1, mục III",
        "Các cơ quan quản lý các lĩnh vực trọng điểm tại điểm d, khoản 1, mục III",
    ),
    case(
        "dn179",
        "Sở Giáo dục và Đào tạo, Sở Văn hóa Thể thao và Du\nlịch",
        "Sở Giáo dục và Đào tạo",
        "Sở Văn hóa Thể thao và Du lịch",
    ),
    case("dn179", "Sở Văn hóa, Thể thao và Du lịch", "Sở Văn hóa, Thể thao và Du lịch"),
    case("dn179", "Các Trường Đại học, Cao đẳng trên địa bàn tỉnh", "Các Trường Đại học, Cao đẳng trên địa bàn tỉnh"),
    case(
        "dn179",
        "Các trường: Đại học, Cao đẳng, Trung cấp trên địa\nbàn tỉnh",
        "Các trường: Đại học, Cao đẳng, Trung cấp trên địa bàn tỉnh",
    ),
    case("dn179", "Báo và Phát thanh, Truyền hình Đồng Nai", "Báo và Phát thanh, Truyền hình Đồng Nai"),
    case("dn179", "Báo và Phát thanh,\nTruyền hình tỉnh Đồng Nai", "Báo và Phát thanh, Truyền hình tỉnh Đồng Nai"),
    case("dn179", "Sở Tài Chính; Sở Sở Công thương", "Sở Tài Chính", "Sở Sở Công thương"),
    case(
        "dn179",
        "Sở Công Thương; Sở Tài Chính; UBND các phường xã",
        "Sở Công Thương",
        "Sở Tài Chính",
        "UBND các phường xã",
    ),
    case(
        "dn179",
        "Sở Công Thương; Sở Khoa học và Công nghệ; UBND\ncác phường xã",
        "Sở Công Thương",
        "Sở Khoa học và Công nghệ",
        "UBND các phường xã",
    ),
    case(
        "dn179",
        "Sở Khoa học và Công nghệ, các sở, ban, ngành;\nUBND các phường xã",
        "Sở Khoa học và Công nghệ",
        "các sở, ban, ngành",
        "UBND các phường xã",
    ),
    case("dn179", "Sở Khoa học và\nCông nghệ; UBND các phường xã", "Sở Khoa học và Công nghệ", "UBND các phường xã"),
    case("dn179", "Sở Khoa học và Công\nnghệ; Sở Ngoại vụ", "Sở Khoa học và Công nghệ", "Sở Ngoại vụ"),
    case(
        "dn179", "Ngân hàng Nhà nước Việt nam Chi nhánh Khu vực II", "Ngân hàng Nhà nước Việt nam Chi nhánh Khu vực II"
    ),
    case("dn179", "Sở Y tế; Sở Giáo dục và Đào tạo", "Sở Y tế", "Sở Giáo dục và Đào tạo"),
    case("dn179", "Thuế Đồng Nai", "Thuế Đồng Nai"),
    case("dn179", "Bảo hiểm xã hội tỉnh", "Bảo hiểm xã hội tỉnh"),
    # --- VPCP, TB 624 (2025): ministries
    case("vpcp624", "Các bộ, ngành, địa phương", "Các bộ, ngành, địa phương"),
    case(
        "vpcp624",
        "Các Bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
        "Các Bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
    ),
    case("vpcp624", "Các cơ quan, bộ, ngành và địa phương", "Các cơ quan, bộ, ngành và địa phương"),
    case("vpcp624", "Các bộ, cơ quan Trung ương và địa phương", "Các bộ, cơ quan Trung ương và địa phương"),
    case("vpcp624", "Các tỉnh, thành phố", "Các tỉnh, thành phố"),
    case("vpcp624", "Các thành phố trực thuộc Trung ương", "Các thành phố trực thuộc Trung ương"),
    case("vpcp624", "Các địa phương chủ trì", "Các địa phương"),
    case("vpcp624", "Bộ Tài chính, Bộ Công Thương", "Bộ Tài chính", "Bộ Công Thương"),
    case("vpcp624", "Bộ Tài chính, Bộ Khoa học và Công nghệ", "Bộ Tài chính", "Bộ Khoa học và Công nghệ"),
    case(
        "vpcp624",
        "Văn phòng Trung ương Đảng, Văn phòng Quốc hội,\nVăn phòng Chủ tịch nước, Văn phòng Chính phủ",
        "Văn phòng Trung ương Đảng",
        "Văn phòng Quốc hội",
        "Văn phòng Chủ tịch nước",
        "Văn phòng Chính phủ",
    ),
    case(
        "vpcp624",
        "Bộ Tư pháp, Bộ Nông nghiệp và Môi trường, Ủy ban\nnhân dân các địa phương",
        "Bộ Tư pháp",
        "Bộ Nông nghiệp và Môi trường",
        "Ủy ban nhân dân các địa phương",
    ),
    case(
        "vpcp624",
        "Bộ Tư pháp, Bộ Giáo dục và Đào tạo, Bộ Xây dựng,\nTòa án nhân dân tối cao, Bộ Nông nghiệp và Môi trường,"
        " Bộ Y tế, Bộ tài chính",
        "Bộ Tư pháp",
        "Bộ Giáo dục và Đào tạo",
        "Bộ Xây dựng",
        "Tòa án nhân dân tối cao",
        "Bộ Nông nghiệp và Môi trường",
        "Bộ Y tế",
        "Bộ tài chính",
    ),
    # --- forms the brief lists (collectives and ellipses as provinces write them)
    case("forms", "Các sở: Tài chính, Kế hoạch và Đầu tư", "Sở Tài chính", "Sở Kế hoạch và Đầu tư"),
    case("forms", "UBND cấp huyện, cấp xã", "UBND cấp huyện", "UBND cấp xã"),
    case("forms", "UBND cấp huyện, UBND cấp xã", "UBND cấp huyện", "UBND cấp xã"),
    case("forms", "UBND các xã, phường, thị trấn", "UBND các xã, phường, thị trấn"),
    case("forms", "UBND các phường, xã", "UBND các phường, xã"),
    case("forms", "các Sở, ban, ngành thuộc tỉnh", "các Sở, ban, ngành thuộc tỉnh"),
    case("forms", "các cơ quan, đơn vị có liên quan", "các cơ quan, đơn vị có liên quan"),
    case("forms", "Ủy ban nhân dân cấp huyện, cấp xã", "Ủy ban nhân dân cấp huyện", "Ủy ban nhân dân cấp xã"),
    # --- decisions beyond the documents (see the module): each pins one rule
    case("rule", "UBND cấp huyện, xã", "UBND cấp huyện", "UBND cấp xã"),  # elided "cấp"
    case("rule", "Văn phòng HĐND và UBND huyện", "Văn phòng HĐND và UBND huyện"),  # one office
    case("rule", "Sở Tài chính và các cơ quan liên quan", "Sở Tài chính", "các cơ quan liên quan"),
    case("rule", "Phối hợp với Sở Tư pháp, Sở Nội vụ", "Sở Tư pháp", "Sở Nội vụ"),
    case("rule", "Chủ trì: Sở Nội vụ; Phối hợp: Sở Tư pháp", "Sở Nội vụ", "Sở Tư pháp"),
    case("rule", "Sở Nội vụ\nSở Tư pháp", "Sở Nội vụ", "Sở Tư pháp"),  # a line break before a head word
    case("rule", "Sở Nội vụ (chủ trì)", "Sở Nội vụ"),
    case("rule", "Bộ Nội vụ (Vụ CCHC);", "Bộ Nội vụ (Vụ CCHC)"),
    case(
        "rule", "Sở Tài chính (Phòng Quản lý giá, Phòng Ngân sách)", "Sở Tài chính (Phòng Quản lý giá, Phòng Ngân sách)"
    ),
    case("rule", "Ủy ban nhân dân TP. Hà Nội", "Ủy ban nhân dân TP. Hà Nội"),
    case("rule", "Các Sở, Ban, Ngành", "Các Sở, Ban, Ngành"),
    case("rule", "Sở Nội vụ, địa phương", "Sở Nội vụ", "địa phương"),
    case("rule", "Các sở: Văn hóa, Thể thao và Du lịch, Y tế", "Sở Văn hóa, Thể thao và Du lịch", "Sở Y tế"),
    case("rule", "Sở Tài chính; Sở Tài chính.", "Sở Tài chính"),  # duplicates removed
    case("rule", "Sở Tài chính; SỞ TÀI CHÍNH; Sở Tài Chính", "Sở Tài chính"),  # same key, first spelling kept
    case("rule", "+ Sở Nội vụ;\n+ Sở Tư pháp.", "Sở Nội vụ", "Sở Tư pháp"),
    case("rule", "-Sở Nội vụ\n-Sở Tư pháp", "Sở Nội vụ", "Sở Tư pháp"),
    case("rule", "Sở Nội vụ\n\ncấp xã", "Sở Nội vụ", "cấp xã"),  # never dropped, even when odd
    case("rule", "<i>Sở Nội vụ</i>; **Sở Tư pháp**", "Sở Nội vụ", "Sở Tư pháp"),
    # --- no names
    case("empty", ""),
    case("empty", "-"),
    case("empty", "   \n  "),
    case("empty", ";"),
    case("empty", " ; , . "),
    case("empty", "…"),
    case("empty", "(2)"),
]


@pytest.mark.parametrize(("text", "expected"), SPLIT_CASES)
def test_split_agency_cell(text, expected):
    assert split_agency_cell(text) == expected


def test_split_table_is_large():
    assert len(SPLIT_CASES) >= 60


@pytest.mark.parametrize(
    "name",
    sorted({name for param in SPLIT_CASES for name in param.values[1]} - {"cấp xã"}),
)
def test_a_split_name_splits_to_itself(name):
    """What the splitter returns is stable: importing its output again changes nothing."""
    assert split_agency_cell(name) == [name]


def test_split_nfd_input_like_nfc():
    """Word pastes decomposed accents (NFD); the names come back composed (NFC)."""
    nfc = "Sở Văn hóa, Thể thao và Du lịch; Ủy ban nhân dân cấp huyện, cấp xã"
    names = split_agency_cell(unicodedata.normalize("NFD", nfc))
    assert names == ["Sở Văn hóa, Thể thao và Du lịch", "Ủy ban nhân dân cấp huyện", "Ủy ban nhân dân cấp xã"]
    assert all(unicodedata.is_normalized("NFC", name) for name in names)


def test_split_windows_line_breaks_and_no_break_spaces():
    assert split_agency_cell("Sở Khoa học và\r\nCông nghệ;\u00a0Sở\tNội vụ\r") == [
        "Sở Khoa học và Công nghệ",
        "Sở Nội vụ",
    ]


# --------------------------------------------------------------------------------------------------
# never raises, never loses a name
# --------------------------------------------------------------------------------------------------

ODD_INPUTS = [
    "",
    " ",
    "\n\n\n",
    ";;;,,,...",
    "- + • –",
    "((((",
    "))))",
    "Các sở:",
    "Các Cục: ;;;",
    "Cục trưởng các Cục:",
    ": : :",
    "và và và",
    "cấp xã, cấp huyện",
    "Sở",
    "& & &",
    "\ue000\ue001\ue002",
    "Sở Nội vụ " * 500,
    ", " * 2500,
    "Các sở" + ", ban" * 1000,
    "Các sở: " + "Nội vụ, " * 600,
    "UBND cấp huyện" + ", cấp xã" * 600,
    "Sở\n" * 1700,
    "(a, b; c) " * 500,
    "Sở Tài chính và " * 330,
    "x" * 5000,
    "Sở Nội vụ chủ trì, " * 280,
]


@pytest.mark.parametrize("text", ODD_INPUTS, ids=range(len(ODD_INPUTS)))
def test_split_never_raises_on_odd_input(text):
    names = split_agency_cell(text)
    assert isinstance(names, list)
    for name in names:
        assert name and name == name.strip(" ;,.:-")


def test_split_5000_chars():
    names = "; ".join(["Các sở, ban, ngành", "UBND cấp huyện, cấp xã", "Sở Văn hóa, Thể thao và Du lịch"] * 60)
    cell = (names + ";" + " " * 5000)[:5000]
    assert len(cell) == 5000 and len(names) > 4500
    assert split_agency_cell(cell) == [
        "Các sở, ban, ngành",
        "UBND cấp huyện",
        "UBND cấp xã",
        "Sở Văn hóa, Thể thao và Du lịch",
    ]


CELL_ALPHABET = st.sampled_from(
    list("SởBanCácUBNDvàđĐăâêôơưáàảãạÁ ,;.:-+()&\n\t") + ["Sở ", "các ", "cấp ", "và ", "Các Cục: ", "UBND ", "\u0301"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(CELL_ALPHABET, max_size=120).map("".join))
def test_split_never_raises_on_generated_cells(text):
    for name in split_agency_cell(text):
        assert name and name == name.strip()
        assert not name.endswith((";", ",", "."))


# Names that start with a head word; joined with any separator they must all come back, in order.
POOL = [
    "Sở Nội vụ",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Lao động - Thương binh và Xã hội",
    "Văn phòng UBND tỉnh",
    "UBND cấp huyện",
    "Các sở, ban, ngành",
    "UBND các huyện, thị xã, thành phố",
    "Cục Thuế tỉnh",
    "Ban Quản lý Khu kinh tế tỉnh",
    "Đài Phát thanh - Truyền hình tỉnh",
    "Báo Phú Yên",
    "Công an tỉnh",
    "Các cơ quan, đơn vị liên quan",
    "Trung tâm Phục vụ hành chính công tỉnh",
    "Ngân hàng nhà nước khu vực XII",
    "Tòa án nhân dân tối cao",
    "Sở Khoa học và Công nghệ",
    "Ủy ban nhân dân cấp xã",
    "Các bộ, ngành, địa phương",
    "Bảo hiểm xã hội tỉnh",
    "Tỉnh đoàn",
]
SEPARATORS = ["; ", ";\n", " ;", "\n", "\n- ", ";\n+ ", ", ", ",\n"]
# A comma before "Các sở, …" would read as one longer collective ("Các bộ, ngành, các sở…"): not a loss.
COMMA_SAFE = {name for name in POOL if not name.startswith("Các")}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(POOL), min_size=1, max_size=8, unique=True), st.data())
def test_split_never_drops_a_name(names, data):
    cell = names[0]
    for name in names[1:]:
        choices = SEPARATORS if name in COMMA_SAFE else [s for s in SEPARATORS if "," not in s]
        cell += data.draw(st.sampled_from(choices)) + name
    assert split_agency_cell(cell) == names


# --------------------------------------------------------------------------------------------------
# fold
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Sở Nội vụ", "so noi vu"),
        ("Văn phòng Ủy ban nhân dân tỉnh", "van phong uy ban nhan dan tinh"),
        ("Uỷ ban nhân dân", "uy ban nhan dan"),
        ("Đài Phát thanh - Truyền hình tỉnh", "dai phat thanh truyen hinh tinh"),
        ("Sở TT&TT", "so tt&tt"),
        ("Sở VH,TT&DL", "so vh tt&dl"),
        ("Sở Lao động - Thương binh và Xã hội", "so lao dong thuong binh va xa hoi"),
        ("  Các sở,  ban,\nngành;  ", "cac so ban nganh"),
        ("ĐẮK LẮK", "dak lak"),
        ("Ðài PT-TH", "dai pt th"),  # Icelandic eth, as old fonts write Đ
        ("(1) Cục DLQGVN.", "1 cuc dlqgvn"),
        ("", ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_nfd_equals_nfc():
    for text in ["Sở Nội vụ", "Sở Văn hóa, Thể thao và Du lịch", "Ủy ban nhân dân tỉnh Đồng Nai", "Tòa án", "Toà án"]:
        assert fold(unicodedata.normalize("NFD", text)) == fold(text)


VIETNAMESE_AND_TRAPS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "\u0300\u0301\u0303\u0309\u0323\u031b\u0306\u0302 \t\n\r\u00a0\u2003\u200b\x1c_-&,.;:()/%ÐðİßǅΣς"
)


@settings(max_examples=500)
@given(st.text(alphabet=VIETNAMESE_AND_TRAPS, max_size=60) | st.text(max_size=60))
def test_fold_word_by_word_equals_folding_the_whole_text(text):
    """fold() folds word by word (cached); the definition folds the whole text at once. They must agree."""
    assert fold(text) == _fold_text(text)
    assert fold(unicodedata.normalize("NFD", text)) == _fold_text(unicodedata.normalize("NFD", text))


def test_fold_finds_by_substring():
    """The search column holds fold(name); a user types without accents."""
    assert fold("so noi vu") in fold("Giám đốc Sở Nội vụ tỉnh Phú Yên")
    assert fold("Sở nội vụ") == fold("SỞ NỘI VỤ")


# --------------------------------------------------------------------------------------------------
# name_key
# --------------------------------------------------------------------------------------------------

SAME_KEY = [
    ("VP UBND tỉnh", "Văn phòng UBND tỉnh"),
    ("VP UBND tỉnh", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("Văn phòng UBND tỉnh", "Văn phòng Uỷ ban nhân dân tỉnh"),
    ("UBND tỉnh", "Ủy ban nhân dân tỉnh"),
    ("Uỷ ban nhân dân tỉnh", "Ủy Ban Nhân Dân Tỉnh"),
    ("Sở TT&TT", "Sở Thông tin và Truyền thông"),
    ("Sở TTTT", "Sở Thông tin và Truyền thông"),
    ("Sở KH&CN", "Sở Khoa học và Công nghệ"),
    ("Sở KHCN", "Sở Khoa học và Công nghệ"),
    ("Sở KH&ĐT", "Sở Kế hoạch và Đầu tư"),
    ("Sở LĐ-TB&XH", "Sở Lao động - Thương binh và Xã hội"),
    ("Sở LĐTBXH", "Sở Lao động, Thương binh và Xã hội"),
    ("Sở TN&MT", "Sở Tài nguyên và Môi trường"),
    ("Sở TNMT", "Sở Tài nguyên và Môi trường"),
    ("Sở GD&ĐT", "Sở Giáo dục và Đào tạo"),
    ("Sở VHTT&DL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("Sở VH,TT&DL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("Sở Văn hóa, Thể thao và Du lịch", "Sở Văn hóa Thể thao và Du lịch"),
    ("Sở Văn hoá, Thể thao và Du lịch", "Sở Văn hóa, Thể thao và Du lịch"),
    ("Sở NN&PTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("Sở NN&MT", "Sở Nông nghiệp và Môi trường"),
    ("Đài PT&TH tỉnh", "Đài Phát thanh và Truyền hình tỉnh"),
    ("Đài PT-TH tỉnh", "Đài Phát thanh và Truyền hình tỉnh"),
    ("Đài Phát thanh và Truyền hình tỉnh", "Đài Phát thanh - Truyền hình tỉnh"),
    ("Đài PT và TH tỉnh", "Đài Phát thanh - Truyền hình tỉnh"),
    ("Sở GTVT", "Sở Giao thông vận tải"),
    ("BQL Khu kinh tế tỉnh", "Ban Quản lý Khu kinh tế tỉnh"),
    ("BQL các KCN", "Ban Quản lý các Khu công nghiệp"),
    ("TTPVHCC tỉnh", "Trung tâm Phục vụ hành chính công tỉnh"),
    ("Trung tâm PVHCC tỉnh", "Trung tâm Phục vụ hành chính công tỉnh"),
    ("Sở Tài Chính", "Sở Tài chính"),
    ("Sở Sở Công thương", "Sở Công Thương"),
    ("Cục DLQGVN", "Cục Du lịch Quốc gia Việt Nam"),
    ("Trung tâm Chuyển đổi số VHTTDL", "Trung tâm Chuyển đổi số Văn hóa, Thể thao và Du lịch"),
    ("Bộ VHTTDL", "Bộ Văn hóa, Thể thao và Du lịch"),
    ("Ủy ban MTTQVN tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"),
    ("HĐND tỉnh", "Hội đồng nhân dân tỉnh"),
    ("KBNN tỉnh", "Kho bạc Nhà nước tỉnh"),
    ("BHXH tỉnh", "Bảo hiểm xã hội tỉnh"),
    ("Bộ CHQS tỉnh", "Bộ Chỉ huy Quân sự tỉnh"),
    ("CA tỉnh", "Công an tỉnh"),
    ("Sở TP", "Sở Tư pháp"),
    ("UBND TP. Hà Nội", "Ủy ban nhân dân thành phố Hà Nội"),
    ("Trường Cao đẳng KTCN Quy Nhơn", "Trường Cao đẳng Kỹ thuật công nghệ Quy Nhơn"),
    ("Các sở, ban, ngành", "Sở, ban, ngành"),
    ("Các sở, ban, ngành", "các Sở, Ban, Ngành"),
    ("Giám đốc Trung tâm Chuyển đổi số VHTTDL", "Trung tâm Chuyển đổi số VHTTDL"),
    ("Cục trưởng Cục DLQGVN", "Cục Du lịch Quốc gia Việt Nam"),
    ("(2) Cục trưởng Cục DLQGVN", "Cục DLQGVN"),
    ("Trưởng Ban Quản lý Khu kinh tế tỉnh", "Ban Quản lý Khu kinh tế tỉnh"),
    ("Chánh Văn phòng UBND tỉnh", "VP UBND tỉnh"),
    ("Chánh án Tòa án nhân dân tỉnh", "TAND tỉnh"),
    ("Bí thư Tỉnh đoàn", "Tỉnh đoàn"),
    ("Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố", "UBND các huyện, thị xã, thành phố"),
    ("- Sở Nội vụ;", "Sở Nội vụ"),
    (unicodedata.normalize("NFD", "Sở Văn hóa, Thể thao và Du lịch"), "Sở Văn hóa, Thể thao và Du lịch"),
    ("Ngân hàng nhà nước khu vực XII", "NHNN khu vực XII"),
]


@pytest.mark.parametrize(("a", "b"), SAME_KEY, ids=[f"{a} == {b}" for a, b in SAME_KEY])
def test_name_key_variants_meet(a, b):
    assert name_key(a) == name_key(b)
    assert name_key(a)  # never empty for a real name


DIFFERENT_KEY = [
    ("Sở Nội vụ", "Sở Tư pháp"),
    ("UBND cấp huyện", "UBND cấp xã"),
    ("Văn phòng UBND tỉnh", "UBND tỉnh"),
    ("Sở Kế hoạch và Đầu tư", "Sở Khoa học và Công nghệ"),
    ("Sở Tài nguyên và Môi trường", "Sở Nông nghiệp và Môi trường"),
    ("Sở Nông nghiệp và Phát triển nông thôn", "Sở Nông nghiệp và Môi trường"),
    ("Sở Thông tin và Truyền thông", "Đài Phát thanh và Truyền hình tỉnh"),
    ("Cục Thuế tỉnh", "Sở Tài chính"),
    ("Bộ Văn hóa, Thể thao và Du lịch", "Sở Văn hóa, Thể thao và Du lịch"),
    ("Sở Tư pháp", "Sở Tài chính"),
    ("UBND tỉnh", "HĐND tỉnh"),
    ("Các sở, ban, ngành", "Các sở, ban, ngành liên quan"),  # the qualifier is dropped by key_variants only
    ("Sở Văn hóa, Thể thao và Du lịch", "Sở Văn hóa và Thể thao"),
    ("Trường Cao đẳng Y tế Bình Định", "Cao đẳng Y tế Bình Định"),  # "Trường" is a school, not a title
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT_KEY, ids=[f"{a} != {b}" for a, b in DIFFERENT_KEY])
def test_name_key_keeps_agencies_apart(a, b):
    assert name_key(a) != name_key(b)


def test_key_tables_are_large():
    assert len(SAME_KEY) >= 40


def test_name_key_keeps_trailing_tinh():
    assert name_key("Công an tỉnh") == "cong an tinh"
    assert name_key("VP UBND tỉnh") == "van phong uy ban nhan dan tinh"
    assert name_key("") == ""


# --------------------------------------------------------------------------------------------------
# key_variants
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "provinces", "variants"),
    [
        ("Sở Nội vụ", (), ["so noi vu"]),
        ("Công an tỉnh", (), ["cong an tinh", "cong an"]),
        ("Các sở, ban, ngành tỉnh", (), ["so ban nganh tinh", "so ban nganh"]),
        ("các Sở, ban, ngành thuộc tỉnh", (), ["so ban nganh thuoc tinh", "so ban nganh"]),
        ("Các sở, ban, ngành liên quan", (), ["so ban nganh lien quan", "so ban nganh"]),
        ("Các cơ quan, đơn vị có liên quan", (), ["co quan don vi co lien quan", "co quan don vi"]),
        ("Các sở, ban, ngành tỉnh liên quan", (), ["so ban nganh tinh lien quan", "so ban nganh tinh", "so ban nganh"]),
        (
            "UBND các phường, xã có liên quan",
            (),
            ["uy ban nhan dan phuong xa co lien quan", "uy ban nhan dan phuong xa"],
        ),
        (
            "Đài Phát thanh và Truyền hình Phú Yên",
            ("Phú Yên",),
            ["dai phat thanh truyen hinh phu yen", "dai phat thanh truyen hinh"],
        ),
        ("UBND tỉnh Phú Yên", ("Phú Yên", "phu yen"), ["uy ban nhan dan tinh phu yen", "uy ban nhan dan"]),
        ("Thuế Đồng Nai", ("Tỉnh Đồng Nai",), ["thue dong nai", "thue"]),
        (
            "Ủy ban nhân dân thành phố Hải Phòng",
            ("Thành phố Hải Phòng",),
            ["uy ban nhan dan thanh pho hai phong", "uy ban nhan dan"],
        ),
        (
            "Các cơ quan, đơn vị, địa phương trên địa bàn tỉnh",
            (),
            ["co quan don vi dia phuong tren dia ban tinh", "co quan don vi dia phuong"],
        ),
        # "thành phố" alone belongs to the collective, only "thành phố <province>" is a place
        ("UBND các huyện, thị xã, thành phố", ("Phú Yên",), ["uy ban nhan dan huyen thi xa thanh pho"]),
        ("Tỉnh đoàn", (), ["tinh doan"]),
        ("tỉnh", (), ["tinh"]),  # never an empty key
        ("", (), []),
    ],
)
def test_key_variants(name, provinces, variants):
    assert key_variants(name, provinces) == variants


def test_key_variants_starts_with_name_key():
    for name in ["VP UBND tỉnh", "Các sở, ban, ngành liên quan", "Đài PT&TH tỉnh"]:
        assert key_variants(name)[0] == name_key(name)


def test_key_variants_meet_across_spellings():
    """'Đài PT&TH tỉnh' in one plan and 'Đài Phát thanh - Truyền hình Phú Yên' in another are one agency."""
    a = key_variants("Đài PT&TH tỉnh", ("Phú Yên",))
    b = key_variants("Đài Phát thanh - Truyền hình Phú Yên", ("Phú Yên",))
    assert set(a) & set(b) == {"dai phat thanh truyen hinh"}


# --------------------------------------------------------------------------------------------------
# parse_agency_cell
# --------------------------------------------------------------------------------------------------


def test_parse_agency_cell_keys_and_qualifiers():
    parts = parse_agency_cell(
        "Ban Quản lý các Khu công nghiệp khu kinh tế, Sở\nTài chính, UBND các phường, xã có liên quan"
    )
    assert parts == [
        NamePart("Ban Quản lý các Khu công nghiệp khu kinh tế", "ban quan ly khu cong nghiep khu kinh te"),
        NamePart("Sở Tài chính", "so tai chinh"),
        NamePart("UBND các phường, xã có liên quan", "uy ban nhan dan phuong xa co lien quan", "liên quan"),
    ]


@pytest.mark.parametrize(
    ("cell", "qualifiers"),
    [
        ("Các sở, ban, ngành liên quan", ["liên quan"]),
        ("Các cơ quan, đơn vị liên quan; UBND cấp huyện", ["liên quan", ""]),
        ("Cơ quan, đơn vị liên quan", ["liên quan"]),
        ("Sở Tài nguyên và Môi trường và các sở, ngành, địa phương liên quan", ["", "liên quan"]),
        ("Sở Nội vụ", [""]),
        ("Văn phòng Ủy ban nhân dân tỉnh, Sở Giáo dục và Đào tạo, Sở Y tế", ["", "", ""]),
    ],
)
def test_parse_agency_cell_qualifier(cell, qualifiers):
    assert [part.qualifier for part in parse_agency_cell(cell)] == qualifiers


def test_parse_agency_cell_empty():
    assert parse_agency_cell("-") == []
    assert parse_agency_cell("") == []


def test_name_part_is_frozen():
    part = NamePart("Sở Nội vụ", "so noi vu")
    with pytest.raises(AttributeError):
        part.text = "Sở Tư pháp"  # type: ignore[misc]
