"""Real names in the scripts a US clinic's patients write are accepted; names made to mislead
staff still are not."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from intake_common.domain.models import AppointmentRequest
from tests.support.data import valid_fields

# Each a real-world name, as people write it (NFC or, for some, decomposed: the model folds it).
REAL_NAMES = [
    "佐々木 さくら",  # Japanese: kanji with the iteration mark 々, and hiragana
    "佐藤 時々",  # 々 inside a given name
    "鈴木 一郎",  # Japanese kanji
    "ヨシダ ケンジ",  # katakana
    "サトウ ユーキ",  # katakana with the prolonged sound mark ー
    "김민준",  # Korean hangul
    "李 承晩",  # Korean name in hanja
    "王秀英",  # Chinese
    "محمد الأحمد",  # Arabic
    "يوسف عبد الله",  # Arabic, three words
    "יעל כהן",  # Hebrew
    "अनन्या शर्मा",  # Devanagari (Hindi), with vowel signs and a virama
    "Nguyễn Thị Minh Khai",  # Vietnamese
    "Trần Văn Ơn",
    "Kaʻiulani Kawānanakoa",  # Hawaiian ʻokina and kahakō
    "Siobhán Ní Bhriain",  # Irish
    "Seán Ó Súilleabháin",
    "María José García Márquez",  # Spanish double surname
    "José Luis Rodríguez-Zapatero",
    "Adéwálé Ọláolúwa",  # Yoruba tone marks (precomposed)
    "Ade\u0301wa\u0301le\u0301 O\u0323la\u0301olu\u0301wa",  # the same, decomposed
    "Ἀλέξανδρος Παπαδόπουλος",  # Greek
    "Γιώργος Νικολάου",
    "Иван Петров",  # Cyrillic (Russian)
    "Олександра Коваленко",  # Ukrainian
    "Łukasz Żółkiewski",  # Polish
    "Guðrún Þórsdóttir",  # Icelandic
    "Zoë O'Connor-Smith, Jr.",
    "D’Angelo Smith",
]


@pytest.mark.parametrize("name", REAL_NAMES)
def test_real_names_in_every_script_are_accepted(name: str) -> None:
    request = AppointmentRequest.model_validate(valid_fields(full_name=name))
    assert request.full_name


@pytest.mark.parametrize(
    "name",
    [
        "Аnna Smith",  # a Cyrillic А inside a Latin word: a look-alike
        "Jоhn Doe",  # a Cyrillic о
        "\u3164\u3164",  # Hangul fillers: renders blank
        "Zax\u0301\u0301\u0301\u0301go",  # four marks on one letter (no precomposed form)
        "佐々木Smith",  # Japanese and Latin in one word
    ],
)
def test_names_made_to_mislead_are_still_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        AppointmentRequest.model_validate(valid_fields(full_name=name))
