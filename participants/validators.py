import re

from django.core.exceptions import ValidationError

# ICD-10-CM: a letter (not U, which WHO reserves), a digit, a digit or A/B, then optionally a
# dot and one to four characters. Stored as the clinician writes it, e.g. F33.2 or F10.20.
ICD10_RE = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-Z]{1,4})?$")
ZIP_RE = re.compile(r"^\d{5}(-\d{4})?$")
PHONE_RE = re.compile(r"^\+?[\d\s().-]{7,20}$")


def normalize_icd10(value: str) -> str:
    return value.strip().upper()


def validate_icd10(value: str) -> None:
    if not ICD10_RE.match(value):
        raise ValidationError(
            "“%(value)s” is not an ICD-10-CM code. Write it with its dot, e.g. F33.2 or F10.20.",
            params={"value": value},
        )


def normalize_zip(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return f"{digits[:5]}-{digits[5:]}" if len(digits) == 9 else value.strip()


def validate_zip(value: str) -> None:
    if not ZIP_RE.match(value):
        raise ValidationError("A ZIP code is 5 digits, or 9 digits as 12345-6789.")


def validate_phone(value: str) -> None:
    if not PHONE_RE.match(value):
        raise ValidationError("Enter a phone number with its area code, e.g. 512-555-0134.")


# Member ID formats by billing program. Texas Medicaid IDs (TMHP) and Connecticut Medicaid
# client IDs are 9 digits; other payers vary, so only letters and digits are required.
MEMBER_ID_RULES = {
    "tx_state_plan": (re.compile(r"^\d{9}$"), "A Texas Medicaid ID is 9 digits."),
    "tx_1915i_amh": (re.compile(r"^\d{9}$"), "A Texas Medicaid ID is 9 digits."),
    "tx_yes": (re.compile(r"^\d{9}$"), "A Texas Medicaid ID is 9 digits."),
    "ct_1915c_mhw": (re.compile(r"^\d{9}$"), "A Connecticut Medicaid ID is 9 digits."),
    "other": (re.compile(r"^[A-Za-z0-9-]{3,30}$"), "A member ID is 3 to 30 letters, digits or dashes."),
}


def validate_member_id(member_id: str, billing_program: str) -> None:
    pattern, message = MEMBER_ID_RULES.get(billing_program, MEMBER_ID_RULES["other"])
    if not pattern.match(member_id):
        raise ValidationError(message)
