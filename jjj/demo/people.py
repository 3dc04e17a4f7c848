"""Synthetic persons: ID numbers with valid GB 11643 check characters and invented names. No real person.

Names are drawn from common surname and given-name characters by a seeded generator; ID numbers use the
person's home county code, a birth date and a sequence number chosen so that (by construction) they are
deterministic. Any resemblance to a real ID number is chance: the generator never looks one up.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from schemas.person import check_char, mask_name

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "秀英桂兰玉凤淑珍志国建华文明德福永海春生俊峰丽娟敏静红霞立新保平金山树林振江宝成"


@dataclass(frozen=True)
class Person:
    """A synthetic person: the region's own records hold the name and ID number; the bus sees only refs."""

    name: str
    id_number: str
    born: date

    @property
    def masked(self) -> str:
        return mask_name(self.name)

    @property
    def birth_month(self) -> str:
        return self.born.strftime("%Y-%m")


def id_number(county: str, born: date, seq: int) -> str:
    first17 = f"{county}{born:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


class PersonFactory:
    """Deterministic persons: the same seed and calls give the same people."""

    def __init__(self, seed: int = 20260729) -> None:
        self._rnd = random.Random(seed)
        self._used: set[str] = set()

    def person(self, county: str, born_from: date, born_to: date, *, female: bool | None = None) -> Person:
        rnd = self._rnd
        span = (born_to - born_from).days
        while True:
            born = date.fromordinal(born_from.toordinal() + rnd.randrange(span + 1))
            fem = rnd.random() < 0.5 if female is None else female
            seq = rnd.randrange(100, 999)
            seq = seq - 1 if (seq % 2 == 1) == fem else seq  # odd = male (GB 11643)
            seq = max(seq, 100 if fem else 101)
            number = id_number(county, born, seq)
            if number not in self._used:
                self._used.add(number)
                break
        name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2, 2))))
        return Person(name, number, born)
