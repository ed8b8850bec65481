from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

# An EDI identifier (ISA06/ISA08, GS02/GS03): letters and digits, at most the 15 ISA allows.
X12_ID = RegexValidator(r"^[A-Za-z0-9]{2,15}$", "Use 2 to 15 letters or digits.")


def validate_npi(value: str) -> None:
    """A National Provider Identifier: 10 digits whose last is a Luhn check digit computed
    over the prefix 80840 + the first 9 digits (CMS, NPI check digit specification)."""
    if not (len(value) == 10 and value.isdigit()):
        raise ValidationError("An NPI is exactly 10 digits, e.g. 1234567893.")
    digits = [int(d) for d in "80840" + value[:9]]
    total = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2 == 0:  # double every other digit, starting from the rightmost of the payload
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    check = (10 - total % 10) % 10
    if check != int(value[9]):
        raise ValidationError("This NPI's check digit is wrong: check it against the NPPES registry.")
