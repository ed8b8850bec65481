"""What the codes of a remittance mean, in the code lists' own short words, shown beside each code.

Sources: the X12 external code lists "Claim Adjustment Reason Codes" and "Remittance Advice
Remark Codes" (https://x12.org/codes/claim-adjustment-reason-codes,
https://x12.org/codes/remittance-advice-remark-codes), as CMS republishes them for its
remittance software (Codes.ini in https://www.cms.gov/files/zip/codesinizip) and ResDAC's T-MSIS
codebook (https://resdac.org/sites/datadocumentation.resdac.org/files/Adjustment%20Reason%20Code.txt).
The lists change three times a year; the "Usage"/"Note" sentences that follow many entries are
left out. A code we don't list says where to look rather than guessing.
"""

UNKNOWN = "Not in our list: see the X12 code list (x12.org/codes)."

# CAS01: who the adjustment is charged to.
GROUP_CODES = {
    "CO": "Contractual obligation (the provider writes it off; not billed to the patient)",
    "CR": "Correction and reversal (a change to a claim adjudicated before)",
    "OA": "Other adjustment",
    "PI": "Payer-initiated reduction (not the patient's responsibility; no contract behind it)",
    "PR": "Patient responsibility (may be billed to the patient)",
}

# CAS02, 05, 08...: claim adjustment reason codes (CARC).
CARC = {
    "1": "Deductible Amount",
    "2": "Coinsurance Amount",
    "3": "Co-payment Amount",
    "4": "The procedure code is inconsistent with the modifier used or a required modifier is missing.",
    "5": "The procedure code/bill type is inconsistent with the place of service.",
    "6": "The procedure/revenue code is inconsistent with the patient's age.",
    "8": "The procedure code is inconsistent with the provider type/specialty (taxonomy).",
    "11": "The diagnosis is inconsistent with the procedure.",
    "15": "The authorization number is missing, invalid, or does not apply to the billed services or provider.",
    "16": "Claim/service lacks information or has submission/billing error(s).",
    "18": "Exact duplicate claim/service.",
    "22": "This care may be covered by another payer per coordination of benefits.",
    "23": "The impact of prior payer(s) adjudication including payments and/or adjustments.",
    "24": "Charges are covered under a capitation agreement/managed care plan.",
    "26": "Expenses incurred prior to coverage.",
    "27": "Expenses incurred after coverage terminated.",
    "29": "The time limit for filing has expired.",
    "31": "Patient cannot be identified as our insured.",
    "39": "Services denied at the time authorization/pre-certification was requested.",
    "45": "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement.",
    "50": "These are non-covered services because this is not deemed a 'medical necessity' by the payer.",
    "96": "Non-covered charge(s).",
    "97": "The benefit for this service is included in the payment/allowance for another service/procedure "
    "that has already been adjudicated.",
    "107": "The related or qualifying claim/service was not identified on this claim.",
    "109": "Claim/service not covered by this payer/contractor. You must send the claim/service to the correct "
    "payer/contractor.",
    "119": "Benefit maximum for this time period or occurrence has been reached.",
    "129": "Prior processing information appears incorrect.",
    "140": "Patient/Insured health identification number and name do not match.",
    "146": "Diagnosis was invalid for the date(s) of service reported.",
    "151": "Payment adjusted because the payer deems the information submitted does not support this "
    "many/frequency of services.",
    "167": "This (these) diagnosis(es) is (are) not covered.",
    "170": "Payment is denied when performed/billed by this type of provider.",
    "177": "Patient has not met the required eligibility requirements.",
    "181": "Procedure code was invalid on the date of service.",
    "182": "Procedure modifier was invalid on the date of service.",
    "185": "The rendering provider is not eligible to perform the service billed.",
    "197": "Precertification/authorization/notification/pre-treatment absent.",
    "198": "Precertification/notification/authorization/pre-treatment exceeded.",
    "204": "This service/equipment/drug is not covered under the patient's current benefit plan.",
    "206": "National Provider Identifier - missing.",
    "208": "National Provider Identifier - not matched.",
    "226": "Information requested from the Billing/Rendering Provider was not provided or not provided timely "
    "or was insufficient/incomplete.",
    "242": "Services not provided by network/primary care providers.",
    "252": "An attachment/other documentation is required to adjudicate this claim/service.",
    "253": "Sequestration - reduction in federal payment.",
    "A1": "Claim/Service denied.",
    "B7": "This provider was not certified/eligible to be paid for this procedure/service on this date of service.",
}

# LQ*HE and MOA: remittance advice remark codes (RARC), which explain a CARC further.
RARC = {
    "M15": "Separately billed services/tests have been bundled as they are considered components of the same "
    "procedure. Separate payment is not allowed.",
    "M51": "Missing/incomplete/invalid procedure code(s).",
    "M62": "Missing/incomplete/invalid treatment authorization code.",
    "M76": "Missing/incomplete/invalid diagnosis or condition.",
    "M80": "Not covered when performed during the same session/date as a previously processed service for the patient.",
    "M86": "Service denied because payment already made for same/similar procedure within set time frame.",
    "MA01": "Alert: If you do not agree with what we approved for these services, you may appeal our decision. "
    "(The full text gives the time limit for an appeal.)",
    "MA04": "Secondary payment cannot be considered without the identity of or payment information from the "
    "primary payer.",
    "MA130": "Your claim contains incomplete and/or invalid information, and no appeal rights are afforded because "
    "the claim is unprocessable. Submit a new claim with the complete/correct information.",
    "N20": "Service not payable with other service rendered on the same date.",
    "N30": "Patient ineligible for this service.",
    "N54": "Claim information is inconsistent with pre-certified/authorized services.",
    "N56": "Procedure code billed is not correct/valid for the services billed or the date of service billed.",
    "N130": "Consult plan benefit documents/guidelines for information about restrictions for this service.",
    "N179": "Additional information has been requested from the member. The charges will be reconsidered upon "
    "receipt of that information.",
    "N290": "Missing/incomplete/invalid rendering provider primary identifier.",
    "N362": "The number of Days or Units of Service exceeds our acceptable maximum.",
    "N381": "Alert: Consult our contractual agreement for restrictions/billing/payment information related to "
    "these charges.",
    "N640": "Exceeds number/frequency approved/allowed within time period.",
}


def carc_meaning(code: str) -> str:
    """The short meaning of a claim adjustment reason code ("45", or "CO-45" with its group)."""
    return CARC.get(str(code).split("-")[-1].strip().upper(), UNKNOWN)


def rarc_meaning(code: str) -> str:
    return RARC.get(str(code).strip().upper(), UNKNOWN)


def group_meaning(code: str) -> str:
    return GROUP_CODES.get(str(code).strip().upper(), UNKNOWN)
