"""The codes of a 271 (005010X279A1) that decide what we record, with their standard meanings,
so that a coverage's detail says what the payer said in words."""

# EB01, Eligibility or Benefit Information Code: the ones that say whether coverage is in force.
# Other EB01 codes (co-payment, deductible, primary care provider, other payer...) describe
# benefits and say nothing about whether the coverage is active.
ACTIVE_CODES = {
    "1": "Active coverage",
    "2": "Active - full risk capitation",
    "3": "Active - services capitated",
    "4": "Active - services capitated to primary care physician",
    "5": "Active - pending investigation",
}
INACTIVE_CODES = {
    "6": "Inactive",
    "7": "Inactive - pending eligibility update",
    "8": "Inactive - pending investigation",
}
# The payer answered, but not about coverage: nothing to conclude from.
NO_ANSWER_CODES = {
    "U": "Contact the following entity for eligibility or benefit information",
    "V": "Cannot process",
}

# AAA03, Reject Reason Code: why the payer could not answer the inquiry (loops 2000A, 2100A,
# 2100B, 2100C, 2110C). A rejection is not a report that the coverage is inactive.
REJECT_REASONS = {
    "04": "Authorized quantity exceeded",
    "15": "Required application data missing",
    "33": "Input errors",
    "35": "Out of network",
    "41": "Authorization/access restrictions",
    "42": "Unable to respond at current time",
    "43": "Invalid/missing provider identification",
    "44": "Invalid/missing provider name",
    "45": "Invalid/missing provider specialty",
    "46": "Invalid/missing provider phone number",
    "47": "Invalid/missing provider state",
    "48": "Invalid/missing referring provider identification number",
    "49": "Provider is not primary care physician",
    "50": "Provider ineligible for inquiries",
    "51": "Provider not on file",
    "52": "Service dates not within provider plan enrollment",
    "53": "Inquired benefit inconsistent with provider type",
    "54": "Inappropriate product/service ID qualifier",
    "55": "Inappropriate product/service ID",
    "56": "Inappropriate date",
    "57": "Invalid/missing date(s) of service",
    "58": "Invalid/missing date of birth",
    "60": "Date of birth follows date(s) of service",
    "61": "Date of death precedes date(s) of service",
    "62": "Date of service not within allowable inquiry period",
    "63": "Date of service in future",
    "69": "Inconsistent with patient's age",
    "70": "Inconsistent with patient's gender",
    "71": "Patient birth date does not match that for the patient on the database",
    "72": "Invalid/missing subscriber/insured ID",
    "73": "Invalid/missing subscriber/insured name",
    "74": "Invalid/missing subscriber/insured gender code",
    "75": "Subscriber/insured not found",
    "76": "Duplicate subscriber/insured ID number",
    "78": "Subscriber/insured not in group/plan identified",
    "79": "Invalid participant identification",
    "80": "No response received - transaction terminated",
    "97": "Invalid or missing provider address",
    "T4": "Payer name or identifier missing",
}
# AAA04, Follow-up Action Code.
FOLLOW_UP = {
    "C": "please correct and resubmit",
    "N": "resubmission not allowed",
    "P": "please resubmit original transaction",
    "R": "resubmission allowed",
    "S": "do not resubmit; inquiry initiated to a third party",
    "W": "please wait 30 days and resubmit",
    "X": "please wait 10 days and resubmit",
    "Y": "do not resubmit; we will hold your request and respond again shortly",
}


def eb_text(code: str) -> str:
    meaning = ACTIVE_CODES.get(code) or INACTIVE_CODES.get(code) or NO_ANSWER_CODES.get(code) or "benefit information"
    return f"EB01 {code}: {meaning}"


def reject_text(reason: str, follow_up: str) -> str:
    text = f"AAA {reason}: {REJECT_REASONS.get(reason, 'rejected')}"
    return f"{text} ({FOLLOW_UP[follow_up]})" if follow_up in FOLLOW_UP else text
