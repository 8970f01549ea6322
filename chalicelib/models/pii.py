"""Phone and ID number types: normalised and validated by pydantic.

A mainland mobile number is accepted with or without +86/0086, spaces or dashes
and stored as its 11 digits; an ID number must be 18 characters with a valid
GB 11643 check digit.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_ID = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def normalise_mobile(value: str) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    digits = re.sub(r"[\s\-()]", "", value)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix) :]
            break
    if not _MOBILE.match(digits):
        raise ValueError("not a mainland China mobile number (11 digits starting 13-19)")
    return digits


def id_check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=False)) % 11]


def normalise_id_number(value: str) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    number = value.strip().upper()
    if not _ID.match(number):
        raise ValueError("must be 18 characters: 17 digits and a check digit")
    if id_check_digit(number[:17]) != number[17]:
        raise ValueError("check digit does not match")
    return number


MobilePhone = Annotated[
    str,
    BeforeValidator(normalise_mobile),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^1[3-9][0-9]{9}$",
            "examples": ["13912345678"],
            "description": "mainland China mobile number; +86, spaces and dashes are accepted and removed",
        }
    ),
]
IdNumber = Annotated[
    str,
    AfterValidator(normalise_id_number),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[0-9]{17}[0-9Xx]$",
            "description": "18-character resident ID number with a valid check digit",
        }
    ),
]
