"""Residents CSV files as Excel writes them, generated from a seed."""

from __future__ import annotations

import random

FAMILY = [
    ("山田", "ヤマダ"),
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("髙橋", "タカハシ"),
    ("渡邊", "ワタナベ"),
    ("伊藤", "イトウ"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
]
GIVEN = [
    ("花子", "ハナコ", "女"),
    ("太郎", "タロウ", "男"),
    ("ミツ", "ミツ", "女"),
    ("正雄", "マサオ", "男"),
    ("キヨ", "キヨ", "女"),
    ("茂", "シゲル", "男"),
    ("和子", "かずこ", "女"),
    ("清", "キヨシ", "男"),
]
CARE_LEVELS = [
    "自立",
    "事業対象者",
    "要支援1",
    "要支援2",
    "要介護1",
    "要介護2",
    "要介護3",
    "要介護4",
    "要介護5",
]
HEADER_JA = "利用者コード,姓,名,セイ,メイ,性別,生年月日,介護度,備考"


def resident_lines(count: int, seed: int = 1) -> list[str]:
    """Return ``count`` valid CSV data lines (Japanese values, Excel's date style)."""
    rng = random.Random(seed)
    lines = []
    for number in range(1, count + 1):
        family, family_kana = rng.choice(FAMILY)
        given, given_kana, sex = rng.choice(GIVEN)
        birth = f"{rng.randint(1925, 1955)}/{rng.randint(1, 12)}/{rng.randint(1, 28)}"
        level = rng.choice(CARE_LEVELS)
        lines.append(
            f"R{number:04d},{family},{given},{family_kana},{given_kana},{sex},{birth},{level},"
        )
    return lines


def csv_bytes(lines: list[str], encoding: str = "cp932") -> bytes:
    """Return a CSV file with the Japanese header and CRLF line ends, as Excel saves it."""
    return ("\r\n".join([HEADER_JA, *lines]) + "\r\n").encode(encoding)
