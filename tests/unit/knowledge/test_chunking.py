from __future__ import annotations

import hashlib
import itertools

from knowledge.ingest.chunking import chunk_text
from knowledge.text import sentence_texts as split_sentences


def test_vi_sentences_keep_numbers_and_decree_ids() -> None:
    text = (
        "Chuẩn nghèo nông thôn là 1.500.000 đồng/người/tháng theo Nghị định 07/2021/NĐ-CP. "
        "TP. Hồ Chí Minh áp dụng chuẩn riêng, v.v. và các tỉnh khác theo chuẩn chung! "
        "Điều 3. Chuẩn nghèo đa chiều gồm 12 chỉ số. Hỏi gì?"
    )
    assert split_sentences(text) == [
        "Chuẩn nghèo nông thôn là 1.500.000 đồng/người/tháng theo Nghị định 07/2021/NĐ-CP.",
        "TP. Hồ Chí Minh áp dụng chuẩn riêng, v.v. và các tỉnh khác theo chuẩn chung!",
        "Điều 3. Chuẩn nghèo đa chiều gồm 12 chỉ số.",
        "Hỏi gì?",
    ]


def test_ru_sentences_keep_abbreviations_and_initials() -> None:
    text = "В г. Павлодар работает А. С. Иванов, т.е. сотрудник центра. Доход 1 500 000 тг. в год. Всё."
    assert split_sentences(text) == [
        "В г. Павлодар работает А. С. Иванов, т.е. сотрудник центра.",
        "Доход 1 500 000 тг. в год.",
        "Всё.",
    ]


def test_short_paragraphs_are_packed_whole() -> None:
    paras = ["Đoạn một có vài câu. Câu thứ hai.", "Đoạn hai.", "Đoạn ba ngắn."]
    text = "\n\n".join(paras)
    chunks = chunk_text(text)
    assert len(chunks) == 1 and chunks[0].text == text


def test_long_paragraph_split_on_sentences_with_one_sentence_overlap() -> None:
    sentences = [f"Câu số {i} nói về hộ nghèo và chính sách hỗ trợ của nhà nước ở địa phương." for i in range(60)]
    text = " ".join(sentences)
    chunks = chunk_text(text, max_chars=400)
    assert len(chunks) > 5
    for chunk in chunks:
        assert len(chunk.text) <= 400
        assert chunk.text == text[chunk.char_start : chunk.char_end]
        assert chunk.text_hash == hashlib.sha256(chunk.text.encode()).hexdigest()
        assert chunk.text.endswith(".") and chunk.text[0] == "C"
    for prev, nxt in itertools.pairwise(chunks):
        last_sentence = split_sentences(prev.text)[-1]
        assert nxt.text.startswith(last_sentence)
    covered = " ".join(c.text for c in chunks)
    assert all(s in covered for s in sentences)
    assert [c.position for c in chunks] == list(range(len(chunks)))


def test_headings_start_chunks_and_never_end_one() -> None:
    body = "Nội dung của phần này khá dài. " * 12
    text = f"Phần một\n\n{body.strip()}\n\nPhần hai\n\n{body.strip()}"
    chunks = chunk_text(text, max_chars=500, min_chars=100)
    assert [c.text.split("\n")[0] for c in chunks] == ["Phần một", "Phần hai"]


def test_over_long_sentence_is_cut_at_spaces() -> None:
    text = "từ " * 1000
    chunks = chunk_text(text.strip(), max_chars=300)
    assert all(len(c.text) <= 300 for c in chunks)
    assert all(not c.text.startswith(" ") and not c.text.endswith(" ") for c in chunks)
