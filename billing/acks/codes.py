"""The code lists an acknowledgment speaks in, with their standard meanings, so a rejection
reads as a reason and not as a code. 999: the code lists of the 005010X231A1 implementation
guide (X12 data elements 715, 716, 717, 618, 620 and 621). 277CA (005010X214): the Claim Status
Category Codes (code source 507), the common Claim Status Codes (code source 508) and the
Entity Identifier Codes (data element 98) that the STC segment carries. A code missing here is
shown as its code: the lists are long and change three times a year."""

# AK901: the functional group as a whole (715).
GROUP_ACKNOWLEDGMENT = {
    "A": "Accepted",
    "E": "Accepted, but errors were noted",
    "M": "Rejected, message authentication code (MAC) failed",
    "P": "Partially accepted, at least one transaction set was rejected",
    "R": "Rejected",
    "W": "Rejected, assurance failed validity tests",
    "X": "Rejected, content after decryption could not be analyzed",
}

# IK501: one transaction set (717).
TRANSACTION_ACKNOWLEDGMENT = {
    "A": "Accepted",
    "E": "Accepted, but errors were noted",
    "M": "Rejected, message authentication code (MAC) failed",
    "R": "Rejected",
    "W": "Rejected, assurance failed validity tests",
    "X": "Rejected, content after decryption could not be analyzed",
}
ACCEPTED = {"A", "E"}  # IK501 and AK901 codes that accept; every other one rejects

# AK905-AK909: errors of the functional group (716).
GROUP_ERRORS = {
    "1": "Functional group not supported",
    "2": "Functional group version not supported",
    "3": "Functional group trailer missing",
    "4": "Group control number in the functional group header and trailer do not agree",
    "5": "Number of included transaction sets does not match actual count",
    "6": "Group control number violates syntax",
    "10": "Authentication key name unknown",
    "11": "Encryption key name unknown",
    "12": "Requested service (authentication or encryption) not available",
    "13": "Unknown security recipient",
    "14": "Unknown security originator",
    "15": "Syntax error in decrypted text",
    "16": "Security not supported",
    "17": "Incorrect message length (encryption only)",
    "18": "Message authentication code failed",
    "19": "Functional group control number not unique within interchange",
    "23": "S3E security end segment missing for S3S security start segment",
    "24": "S3E security reference does not match S3S security reference",
    "25": "S3S security start segment missing for S3E security end segment",
    "26": "S4E security end segment missing for S4S security start segment",
}

# IK502-IK506: errors of the transaction set (618).
TRANSACTION_ERRORS = {
    "1": "Transaction set not supported",
    "2": "Transaction set trailer missing",
    "3": "Transaction set control number in header and trailer do not match",
    "4": "Number of included segments does not match actual count",
    "5": "One or more segments in error",
    "6": "Missing or invalid transaction set identifier",
    "7": "Missing or invalid transaction set control number",
    "8": "Authentication key name unknown",
    "9": "Encryption key name unknown",
    "10": "Requested service (authentication or encrypted) not available",
    "11": "Unknown security recipient",
    "12": "Incorrect message length (encryption only)",
    "13": "Message authentication code failed",
    "15": "Unknown security originator",
    "16": "Syntax error in decrypted text",
    "17": "Security not supported",
    "18": "Transaction set not in functional group",
    "19": "Invalid transaction set implementation convention reference",
    "23": "Transaction set control number not unique within the functional group",
    "24": "S3E security end segment missing for S3S security start segment",
    "I5": "Implementation: one or more segments in error",
    "I6": "Implementation convention not supported",
}

# IK304: what is wrong with a segment (620).
SEGMENT_ERRORS = {
    "1": "Unrecognized segment ID",
    "2": "Unexpected segment",
    "3": "Required segment missing",
    "4": "Loop occurs over maximum times",
    "5": "Segment exceeds maximum use",
    "6": "Segment not in defined transaction set",
    "7": "Segment not in proper sequence",
    "8": "Segment has data element errors",
    "I4": 'Implementation "not used" segment present',
    "I6": "Implementation dependent segment missing",
    "I7": "Implementation loop occurs under minimum times",
    "I8": "Implementation segment below minimum use",
    "I9": 'Implementation dependent "not used" segment present',
}

# IK403: what is wrong with an element (621).
ELEMENT_ERRORS = {
    "1": "Required data element missing",
    "2": "Conditional required data element missing",
    "3": "Too many data elements",
    "4": "Data element too short",
    "5": "Data element too long",
    "6": "Invalid character in data element",
    "7": "Invalid code value",
    "8": "Invalid date",
    "9": "Invalid time",
    "10": "Exclusion condition violated",
    "12": "Too many repetitions",
    "13": "Too many components",
    "I6": "Code value not used in implementation",
    "I9": "Implementation dependent data element missing",
    "I10": 'Implementation "not used" data element present',
    "I11": "Implementation too few repetitions",
    "I12": "Implementation pattern match failure",
    "I13": 'Implementation dependent "not used" data element present',
}

# STC01-1, STC10-1, STC11-1: the claim status category (code source 507), as far as a 277CA uses it.
CATEGORIES = {
    "A0": "Forwarded to another entity",
    "A1": "Received (not yet accepted for adjudication)",
    "A2": "Accepted into the adjudication system",
    "A3": "Returned as unprocessable: rejected, not entered into the adjudication system",
    "A4": "Not found in the adjudication system",
    "A5": "Split upon acceptance into the adjudication system",
    "A6": "Rejected for missing information",
    "A7": "Rejected for invalid information",
    "A8": "Rejected for a relational field in error",
    "E0": "Response not possible: error on submitted request data",
    "E1": "Response not possible: system status",
    "E2": "Information holder is not responding; resubmit at a later time",
    "E3": "Correction required: relational fields in error",
    "E4": "Trading partner agreement specific requirement not met: data correction required",
    "P0": "Pending: adjudication/details",
    "P1": "Pending: in process",
    "P2": "Pending: payer review",
    "P3": "Pending: provider requested information",
    "P4": "Pending: patient requested information",
    "P5": "Pending: payer administrative/system hold",
}
# A1 only says the file was received, not that the claim entered adjudication; it is taken as
# accepted all the same (a rejection would come as A3, A6, A7 or A8), and its meaning is shown.
ACCEPTED_CATEGORIES = {"A1", "A2", "A5"}
# A4, not found: the payer has no such claim in adjudication, so it must be sent again like a
# rejected one (the conservative reading: a claim the payer does not have is never paid).
REJECTED_CATEGORIES = {"A3", "A4", "A6", "A7", "A8"}

# STC01-2: the claim status codes (code source 508) a 277CA commonly uses.
STATUSES = {
    "0": "Cannot provide further status electronically",
    "3": "Claim has been adjudicated and is awaiting payment cycle",
    "15": "One or more originally submitted procedure codes have been modified",
    "16": "Claim/encounter has been forwarded to entity",
    "17": "Claim/encounter has been forwarded by third party entity to entity",
    "18": "Entity received claim/encounter, but returned invalid status",
    "19": "Entity acknowledges receipt of claim/encounter",
    "20": "Accepted for processing",
    "21": "Missing or invalid information",
    "23": "Returned to entity",
    "24": "Entity not approved as an electronic submitter",
    "25": "Entity not approved",
    "26": "Entity not found",
    "27": "Policy canceled",
    "29": "Subscriber and policy number/contract number mismatched",
    "30": "Subscriber and subscriber id mismatched",
    "31": "Subscriber and policyholder name mismatched",
    "32": "Subscriber and policy number/contract number not found",
    "33": "Subscriber and subscriber id not found",
    "34": "Subscriber and policyholder name not found",
    "35": "Claim/encounter not found",
    "54": "Duplicate of a previously processed claim/line",
    "78": "Duplicate of an existing claim/line, awaiting processing",
    "84": "Service not authorized",
    "85": "Entity not primary",
    "88": "Entity not eligible for benefits for submitted dates of service",
    "90": "Entity not eligible for medical benefits for submitted dates of service",
    "91": "Entity not eligible/not approved for dates of service",
    "96": "No agreement with entity",
    "97": "Patient eligibility not found with entity",
    "109": "Entity not eligible",
    "116": "Claim submitted to incorrect payer",
    "121": "Service line number greater than maximum allowable for payer",
    "125": "Entity's name",
    "126": "Entity's address",
    "128": "Entity's tax id",
    "132": "Entity's Medicaid provider id",
    "145": "Entity's specialty/taxonomy code",
    "153": "Entity's id number",
    "157": "Entity's gender",
    "158": "Entity's date of birth",
    "164": "Entity's contract/member number",
    "178": "Submitted charges",
    "187": "Date(s) of service",
    "247": "Line information",
    "249": "Place of service",
    "252": "Entity's prior authorization/certification number",
    "254": "Principal diagnosis code",
    "255": "Diagnosis code",
    "400": "Claim is out of balance",
    "453": "Procedure code modifier(s) for service(s) rendered",
    "454": "Procedure code for services rendered",
    "464": "Payer assigned claim control number",
    "476": "Missing or invalid units of service",
    "477": "Diagnosis code pointer is missing or invalid",
    "481": "Claim/submission format is invalid",
    "496": "Submitter not approved for electronic claim submissions on behalf of this entity",
    "500": "Entity's postal/zip code",
    "503": "Entity's street address",
    "504": "Entity's last name",
    "505": "Entity's first name",
    "507": "HCPCS",
    "510": "Future date",
    "511": "Invalid character",
    "535": "Claim frequency code",
    "562": "Entity's National Provider Identifier (NPI)",
    "583": "Line item charge amount",
    "674": "Authorization exceeded",
    "684": "Rejected: syntax error noted for this claim; see the 999 acknowledgment",
    "697": "Invalid decimal precision",
    "700": "ICD-10 code",
    "718": "Claim/service not submitted within the required timeframe (timely filing)",
    "732": "Information submitted inconsistent with billing guidelines",
}

# STC01-3: whose information the status is about (entity identifier codes, data element 98).
ENTITIES = {
    "03": "dependent",
    "1P": "provider",
    "1Z": "home health care",
    "40": "receiver",
    "41": "submitter",
    "71": "attending physician",
    "72": "operating physician",
    "77": "service location",
    "82": "rendering provider",
    "85": "billing provider",
    "87": "pay-to provider",
    "DK": "ordering physician",
    "DN": "referring provider",
    "IL": "subscriber",
    "PR": "payer",
    "QC": "patient",
}


def meaning(codes: dict[str, str], code: str) -> str:
    return codes.get(code, f"code {code}")
