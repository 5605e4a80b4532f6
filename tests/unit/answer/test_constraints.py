"""The question's constraints (places in every spelling and case form, years, programs, document
numbers, countries) and the check of a source against them (retrieval/constraints.py)."""

from __future__ import annotations

import pytest

from retrieval.constraint_check import Source, doc_facts, vet
from retrieval.constraints import read, years
from retrieval.gazetteer import gazetteer
from retrieval.jurisdiction import choose

TUYEN_QUANG = ("UBND tỉnh Tuyên Quang vừa ban hành Kế hoạch số 79/KH-UBND thực hiện Tiểu dự án 3, Chương trình 135 "
               "thuộc Chương trình mục tiêu quốc gia Giảm nghèo bền vững giai đoạn 2017-2020 trên địa bàn tỉnh.")


@pytest.mark.parametrize(("text", "place"), [
    ("Kế hoạch Chương trình 135 của tỉnh Hà Giang", "VN-HG"),
    ("ke hoach ctr 135 cua tinh ha giang", "VN-HG"),
    ("HÀ GIANG", "VN-HG"),
    ("какая черта бедности в алматы", "KZ-ALA"),
    ("Алма-Ата", "KZ-ALA"),
    ("сколько нпо в карагандинской области", "KZ-KAR"),
    ("Карагандинская область", "KZ-KAR"),
    ("в Караганде", "KZ-KAR"),
    ("НПО в Павлодаре", "KZ-PAV"),
    ("Pavlodar", "KZ-PAV"),
    ("tỉnh Thừa Thiên Huế", "VN-HUE"),
    ("tỉnh hoa binh", "VN-HB"),
    ("tong vien tro cho binh dinh nam 2016", "VN-BD"),
    ("Жетысуская область", "KZ-ZHT"),
])
def test_places_in_every_spelling_and_case_form(text: str, place: str) -> None:
    assert [p.id for p in read(text).places] == [place]


@pytest.mark.parametrize("text", [
    "Người dân Sơn La cần hòa bình.",  # peace, not the province (a cased text)
    "biện pháp và pháp luật",  # `pháp` inside words, not France
    "hả nam",  # other diacritics than Hà Nam's
    "хан и ханство",
])
def test_common_words_are_not_places(text: str) -> None:
    facts = read(text)
    assert [p.id for p in facts.places if p.id != "VN-SL"] == [] and facts.countries == []


def test_the_data_file_has_every_province_and_region() -> None:
    g = gazetteer()
    vn = [e for e in g.entities.values() if e.country == "VN" and e.kind == "province"]
    assert len(vn) == 63, "all provinces before the 2025 merger"
    assert len([e for e in vn if e.merged_into is None]) == 34, "the provinces after it"
    assert all(g.entities[e.merged_into].merged_into is None for e in vn if e.merged_into)
    assert len([e for e in g.entities.values() if e.country == "KZ" and e.kind == "region"]) == 17


def test_years_ranges_dates_and_from() -> None:
    assert years("Năm 2018 tỉnh Sơn La") == [(2018, 2018)]
    assert years("giai đoạn 2021-2025") == [(2021, 2025)]
    assert years("Từ ngày 1/1/2025, chuẩn nghèo") == [(2025, 9999)]
    assert years("С 1 января 2025 года") == [(2025, 9999)]
    assert years("Ngày 23/12/2016 UBND") == [(2016, 2016)]
    assert years("Nghị định 80/2020/NĐ-CP") == [], "a document number's year is not a period"
    assert years("2.000.000 đồng") == []


def test_programs_documents_and_countries() -> None:
    facts = read("Tiểu dự án 1 của Dự án 3, ctr 135 và Nghị định 80/2020/NĐ-CP ở Lào")
    assert ("subproject", "1") in facts.programs and ("project", "3") in facts.programs
    assert ("program", "135") in facts.programs and ("project", "1") not in facts.programs
    assert [d.label() for d in facts.docnums] == ["80/2020/NĐ-CP"]
    assert facts.countries == ["LA"]
    assert "VN" in read("Постановление 80/2020/ND-CP").implied_countries()


def test_another_province_in_the_sentence_is_a_mismatch() -> None:
    doc = doc_facts("Nâng cao năng lực quản lý Chương trình 135", TUYEN_QUANG, None)
    asked = read("Kế hoạch thực hiện Chương trình 135 của tỉnh Hà Giang có số hiệu là gì?")
    mm = vet(asked, Source(TUYEN_QUANG, TUYEN_QUANG, doc), "vi")
    assert mm is not None and (mm.kind, mm.asked, mm.found) == ("place", "Hà Giang", "Tuyên Quang")
    same = read("ke hoach chuong trinh 135 cua tinh tuyen quang so hieu la gi")
    assert vet(same, Source(TUYEN_QUANG, TUYEN_QUANG, doc), "vi") is None


def test_document_scope_decides_when_the_sentence_names_no_place() -> None:
    text = ("Свой дом получат НПО в Павлодарской области. В Павлодаре откроется Дом НПО. "
            "Его услугами смогут пользоваться граждане.")
    doc = doc_facts("Дом НПО", text, None)
    sentence = "Его услугами смогут пользоваться граждане."
    mm = vet(read("кто сможет пользоваться Домом НПО в карагандинской области"), Source(sentence, sentence, doc), "ru")
    assert mm is not None and mm.kind == "place" and mm.found == "Павлодарская"
    assert vet(read("кто сможет пользоваться Домом НПО в Павлодаре"), Source(sentence, sentence, doc), "ru") is None


def test_a_national_rule_applies_to_every_province_of_its_country() -> None:
    national = doc_facts("Chuẩn nghèo", "Hộ nghèo là hộ có thu nhập từ 1.500.000 đồng trở xuống.", "VN")
    sentence = "Hộ nghèo là hộ có thu nhập từ 1.500.000 đồng trở xuống."
    assert vet(read("chuẩn nghèo ở Hà Giang là bao nhiêu"), Source(sentence, sentence, national), "vi") is None
    mm = vet(read("chuẩn nghèo ở Almaty là bao nhiêu"), Source(sentence, sentence, national), "vi")
    assert mm is not None and mm.found == "Việt Nam"


def test_years_must_agree_with_the_sentence() -> None:
    s = "Trong năm 2016, tỉnh Sơn La tiếp nhận 13 khoản viện trợ."
    doc = doc_facts("Sơn La", s, None)
    mm = vet(read("Năm 2018 tỉnh Sơn La tiếp nhận bao nhiêu khoản viện trợ?"), Source(s, s, doc), "vi")
    assert mm is not None and (mm.kind, mm.asked, mm.found) == ("year", "2018", "2016")
    assert vet(read("nam 2016 tinh son la nhan bao nhieu khoan vien tro"), Source(s, s, doc), "vi") is None
    rule = "С 1 января 2025 года черта бедности равна 35% медианного дохода."
    kz = doc_facts("АСП", rule, "KZ")
    assert vet(read("черта бедности в 2026 году"), Source(rule, rule, kz), "ru") is None
    assert vet(read("черта бедности в 2019 году"), Source(rule, rule, kz), "ru") is not None


def test_programs_and_document_numbers_must_agree() -> None:
    doc = doc_facts("Chương trình 135", TUYEN_QUANG, None)
    mm = vet(read("Chương trình 30a ở Tuyên Quang"), Source(TUYEN_QUANG, TUYEN_QUANG, doc), "vi")
    assert mm is not None and (mm.kind, mm.found) == ("program", "program 135")
    mm = vet(read("Kế hoạch 80/KH-UBND của Tuyên Quang"), Source(TUYEN_QUANG, TUYEN_QUANG, doc), "vi")
    assert mm is not None and (mm.kind, mm.found) == ("document", "79/KH-UBND")
    assert vet(read("Kế hoạch 79/KH-UBND tỉnh Tuyên Quang"), Source(TUYEN_QUANG, TUYEN_QUANG, doc), "vi") is None


def test_a_named_country_must_be_the_documents() -> None:
    s = "Hộ nghèo được cấp thẻ bảo hiểm y tế miễn phí."
    vn = doc_facts("BHYT", s, "VN")
    mm = vet(read("ở Lào hộ nghèo có được cấp thẻ bảo hiểm y tế không"), Source(s, s, vn), "vi")
    assert mm is not None and (mm.kind, mm.asked, mm.found) == ("country", "Lào", "Việt Nam")
    assert vet(read("ở Việt Nam hộ nghèo có được cấp thẻ bhyt không"), Source(s, s, vn), "vi") is None


def test_documents_get_their_country_from_region_else_from_their_places() -> None:
    assert doc_facts("x", "y", "KZ-Pavlodar").country == "KZ"
    assert [p.id for p in doc_facts("x", "y", "KZ-Pavlodar").scope] == ["KZ-PAV"]
    assert doc_facts("Sơn La", "Hiện nay tại Sơn La có 30 tổ chức. Tại Hà Nội, tỉnh Sơn La ...", None).country == "VN"
    assert doc_facts("t", "Football in the league.", None).country is None


def test_jurisdiction_order_user_then_channel_then_question_then_language() -> None:
    vi_plain = read("nộp đơn ở đâu để được xét hộ nghèo")
    assert choose(vi_plain, "vi").country == "VN"
    assert choose(read("где подать заявление"), "ru").country == "KZ"
    kz_named = read("chuẩn nghèo ở Kazakhstan là bao nhiêu")
    assert (choose(kz_named, "vi").country, choose(kz_named, "vi").source) == ("KZ", "question")
    assert choose(read("Программа 135 во Вьетнаме"), "ru").country == "VN"
    on_zalo = choose(kz_named, "vi", channel="zalo_bot")
    assert on_zalo.country == "VN" and on_zalo.allows("KZ"), "another country's documents when the question names it"
    assert not choose(vi_plain, "vi", channel="zalo_oa").allows("KZ")
    chosen = choose(vi_plain, "vi", chosen="kz", channel="zalo_bot")
    assert (chosen.country, chosen.source) == ("KZ", "chosen") and not chosen.allows("VN")
    assert chosen.allows(None), "documents of unknown country are never excluded"


def test_quarters_must_agree() -> None:
    s = "Например, черта бедности в Актюбинской области в I квартале 2026 года — 37 060 тенге."
    kz = doc_facts("АСП", s, "KZ")
    mm = vet(read("черта бедности в актюбинской области во II квартале 2026 года"), Source(s, s, kz), "ru")
    assert mm is not None and (mm.kind, mm.asked, mm.found) == ("quarter", "II", "I")
    assert vet(read("черта бедности в Актюбинской области в 1 квартале 2026"), Source(s, s, kz), "ru") is None
    assert read("chuẩn nghèo quý II năm 2026 của tỉnh Aktobe").quarters == [2]


def test_districts_the_data_file_does_not_list() -> None:
    s = "Năm 2023, huyện Sìn Hồ hỗ trợ 200 hộ nghèo."
    doc = doc_facts("Hỗ trợ", s, None)
    mm = vet(read("Năm 2023 huyện Mường Lát hỗ trợ bao nhiêu hộ nghèo?"), Source(s, s, doc), "vi")
    assert mm is not None and (mm.asked, mm.found) == ("huyện Mường Lát", "huyện Sìn Hồ")
    assert vet(read("Năm 2023 huyện Sìn Hồ hỗ trợ bao nhiêu hộ nghèo?"), Source(s, s, doc), "vi") is None
    national = "Hộ nghèo được cấp thẻ bảo hiểm y tế."
    assert vet(read("ở xã Tân Lập hộ nghèo có thẻ bảo hiểm y tế không"),
               Source(national, national, doc_facts("BHYT", national, "VN")), "vi") is None
    assert read("xã hội và chính sách").localities == []


def test_organisations_must_be_the_sources() -> None:
    s = "Hộ nghèo vay vốn tại Ngân hàng Chính sách xã hội với lãi suất ưu đãi."
    doc = doc_facts("Vay vốn", s, "VN")
    mm = vet(read("UNDP cho hộ nghèo vay vốn với lãi suất bao nhiêu?"), Source(s, s, doc), "vi")
    assert mm is not None and (mm.kind, mm.asked, mm.found) == ("organisation", "UNDP", "Ngân hàng Chính sách xã hội")
    assert vet(read("NHCSXH cho hộ nghèo vay lãi suất bao nhiêu"), Source(s, s, doc), "vi") is None


def test_short_names_without_diacritics_and_russian_typos() -> None:
    assert read("Ở thành thị người lao động có thu nhập thấp là ai?").countries == []
    assert read("o thanh thi nguoi lao dong co thu nhap thap la ai").countries == []
    assert read("chuan ngheo o lao la bao nhieu").countries == ["LA"]
    assert read("порог дохода для бедных в сельской местности вььетнама").countries == ["VN"]
    assert read("сертификат иностранной нпо во вьетгаме").countries == ["VN"]


def test_every_place_asked_counts_and_periods_must_contain_the_asked_one() -> None:
    s = "Chiều 20/3, tại Hà Nội, ông Đôn Tuấn Phong đã tiếp Đoàn Công tác của UBND tỉnh Sơn La."
    doc = doc_facts("Sơn La", s + " Hiện nay tại Sơn La có 30 tổ chức.", None)
    mm = vet(read("Ai đã tiếp đoàn công tác tỉnh Trà Vinh tại Hà Nội chiều 20/3?"), Source(s, s, doc), "vi")
    assert mm is not None and (mm.asked, mm.found) == ("Trà Vinh", "Sơn La")
    assert vet(read("Ai đã tiếp đoàn công tác tỉnh Sơn La tại Hà Nội chiều 20/3?"), Source(s, s, doc), "vi") is None
    p = "Theo chuẩn nghèo 2022–2025, chuẩn thu nhập ở khu vực nông thôn là 1.500.000 đồng."
    vn = doc_facts("Chuẩn nghèo", p, "VN")
    mm = vet(read("Chuẩn nghèo nông thôn giai đoạn 2020-2025 là bao nhiêu?"), Source(p, p, vn), "vi")
    assert mm is not None and mm.kind == "year"
    assert vet(read("Chuẩn nghèo nông thôn năm 2023 là bao nhiêu?"), Source(p, p, vn), "vi") is None
