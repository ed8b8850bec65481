"""Reading 835s: every part of ours and of a payer's public sample, pyx12's verdict on a bad
file, the refusal of files that are not 835s, and the codes' meanings."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template

from audit.context import AuditContext
from billing.models import ClaimLine, Remittance, RemittanceLine
from billing.remittance.balance import balance_problems
from billing.remittance.codes import UNKNOWN, carc_meaning, group_meaning, rarc_meaning
from billing.remittance.importing import remittance_import
from billing.remittance.reader import ParsedAdjustment, RemittanceFileError, read_835

D = Decimal
SAMPLES = Path(__file__).parent / "files" / "835"

# Two transactions; the first has six CAS reasons in one segment, four modifiers, a changed
# procedure code (SVC06), a line without a date (the claim's DTM*232 stands), a service period
# (DTM*150/151), claim remark codes (MOA), line remark codes (LQ*HE) and six PLB adjustments.
RICH = "".join(
    [
        "ISA*00*          *00*          *ZZ*PAYERSENDER    *ZZ*RIVERBEND01    *250301*1200*^*00501*000000007*0*T*:~",
        "GS*HP*PAYERSENDER*RIVERBEND01*20250301*1200*7*X*005010X221A1~",
        "ST*835*0001~",
        "BPR*I*185*C*CHK************20250301~",
        "TRN*1*TRACE-A*1741234567~",
        "DTM*405*20250301~",
        "N1*PR*SOME MEDICAID PLAN~",
        "N3*PO BOX 1~",
        "N4*AUSTIN*TX*78701~",
        "REF*2U*PLAN77~",
        "PER*BL*EDI*TE*5125550100~",
        "N1*PE*RIVERBEND BEHAVIORAL HEALTH*XX*1234567893~",
        "LX*1~",
        "CLP*PS00000001*1*300*200**MC*ICN1*11*1~",
        "NM1*QC*1*DOE*JANE****MI*M1~",
        "MOA***MA01*N130~",
        "DTM*232*20250210~",
        "SVC*HC:H0038:HE:HQ:95:GT*100*40**4~",
        "DTM*472*20250210~",
        "CAS*CO*45*10*1*16*10**151*10**197*10**204*10**253*10~",
        "AMT*B6*50~",
        "LQ*HE*N362~",
        "LQ*HE*M80~",
        "SVC*HC:H0038*100*80**2*HC:H0039~",
        "CAS*PR*2*20~",
        "SVC*HC:H0038:HE*100*80**4~",
        "DTM*150*20250211~",
        "DTM*151*20250212~",
        "CAS*CO*45*20~",
        "PLB*1234567893*20251231*WO:A1*1*FB:B2*2*L6*-3*J1:X*4*72*5*CS:Y*6~",
        "SE*29*0001~",
        "ST*835*0002~",
        "BPR*I*10*C*CHK************20250302~",
        "TRN*1*TRACE-B*1741234567~",
        "N1*PR*SOME MEDICAID PLAN~",
        "N3*PO BOX 1~",
        "N4*AUSTIN*TX*78701~",
        "PER*BL*EDI*TE*5125550100~",
        "N1*PE*RIVERBEND BEHAVIORAL HEALTH*XX*1234567893~",
        "LX*1~",
        "CLP*OTHER1*1*10*10**MC*ICN2*11*1~",
        "NM1*QC*1*ROE*RICHARD****MI*M2~",
        "SVC*HC:H0038*10*10**1~",
        "DTM*472*20250215~",
        "SE*14*0002~",
        "GE*2*7~",
        "IEA*1*000000007~",
    ]
)


def test_it_reads_every_part_of_a_remittance():
    first, second = read_835(RICH)
    assert (first.trace_number, first.payer_identifier, first.payer_name) == (
        "TRACE-A",
        "1741234567",
        "SOME MEDICAID PLAN",
    )
    assert (first.payment_amount, first.payment_method, first.paid_on) == (D(185), "CHK", datetime.date(2025, 3, 1))
    assert first.payer_ids == ["PLAN77"] and first.sender_id == "PAYERSENDER"
    [claim] = first.claims
    assert (claim.patient_control_number, claim.status_code, claim.charge, claim.paid) == (
        "PS00000001",
        "1",
        D(300),
        D(200),
    )
    assert (claim.payer_claim_number, claim.member_id, claim.patient_name) == ("ICN1", "M1", "DOE, JANE")
    assert claim.remark_codes == ["MA01", "N130"]
    six, changed, period = claim.lines
    assert (six.hcpcs, six.modifiers, six.units, six.allowed) == ("H0038", ["HE", "HQ", "95", "GT"], D(4), D(50))
    assert [(a.group, a.reason, a.amount) for a in six.adjustments] == [
        ("CO", reason, D(10)) for reason in ("45", "16", "151", "197", "204", "253")
    ]
    assert six.adjustments[0] == ParsedAdjustment("CO", "45", D(10), D(1))
    assert six.remark_codes == ["N362", "M80"] and six.service_date == datetime.date(2025, 2, 10)
    assert changed.billed_code == ("H0039", []) and changed.hcpcs == "H0038"
    assert changed.service_date == datetime.date(2025, 2, 10)  # no DTM*472: the claim's date
    assert period.service_date == datetime.date(2025, 2, 11)
    assert first.provider_adjustments == [
        ("WO", "A1", D(1)), ("FB", "B2", D(2)), ("L6", "", D(-3)),
        ("J1", "X", D(4)), ("72", "", D(5)), ("CS", "Y", D(6)),
    ]  # fmt: skip
    assert balance_problems(first, set()) == [] and balance_problems(second, set()) == []
    assert (second.trace_number, second.claims[0].patient_control_number) == ("TRACE-B", "OTHER1")


def test_a_public_sample_from_a_medicaid_payer_reads_and_balances():
    [remittance] = read_835((SAMPLES / "emedny_sample.txt").read_text())
    assert (remittance.payer_name, remittance.payment_amount, len(remittance.claims)) == ("NYSDOH", D("45.75"), 3)
    assert balance_problems(remittance, set()) == []
    assert sum((c.paid for c in remittance.claims), D(0)) == remittance.payment_amount
    for claim in remittance.claims:
        assert sum((line.charge for line in claim.lines), D(0)) == claim.charge
        assert sum((line.paid for line in claim.lines), D(0)) == claim.paid
    assert remittance.claims[1].lines[0].adjustments == [ParsedAdjustment("CO", "29", D(12))]
    assert remittance.claims[2].lines[2].remark_codes == ["N206"]


@pytest.mark.django_db
def test_a_public_sample_imports_with_every_claim_unmatched(billing_user, identity, payer):
    text = (SAMPLES / "emedny_sample.txt").read_text()
    [outcome] = remittance_import(text=text, file_name="emedny_sample.txt", ctx=AuditContext(billing_user))
    remittance = outcome.remittance
    assert remittance.status == Remittance.Status.POSTED and remittance.problems == []
    assert remittance.payer is None and remittance.claims.filter(claim=None).count() == 3
    assert RemittanceLine.objects.filter(match=RemittanceLine.Match.UNMATCHED).count() == 10
    assert "posted 0 of 10 lines to 0 claims; 10 lines matched nothing" in outcome.message
    assert not ClaimLine.objects.exists()


@pytest.mark.django_db
def test_a_file_of_two_remittances_is_stored_once(billing_user, identity, payer):
    first, second = remittance_import(text=RICH, file_name="two.835", ctx=AuditContext(billing_user))
    first, second = first.remittance, second.remittance
    assert (first.trace_number, second.trace_number) == ("TRACE-A", "TRACE-B")
    assert first.file_text == RICH and first.file_with is None
    assert second.file_text == "" and second.file_with == first
    assert first.file == second.file == RICH


def test_other_separators_and_line_breaks_read_the_same():
    sample = (SAMPLES / "emedny_sample.txt").read_text()
    [expected] = read_835(sample)
    # ISA16 (the component separator) is the character before the ISA's end.
    other = sample.replace("*", "|").replace(":", ">").replace("~", "~\r\n")
    assert other[104] == ">" and read_835(other) == [expected]


def test_pyx12s_findings_are_the_error_messages():
    bad = RICH.replace("CLP*PS00000001*1*", "CLP*PS00000001*X9*").replace("SE*29*0001", "SE*28*0001")
    with pytest.raises(RemittanceFileError) as error:
        read_835(bad)
    messages = error.value.messages
    assert (
        "Segment 14, Claim Payment Information (CLP): (X9) is not a valid code for Claim Status Code (CLP02)"
        in messages
    )
    assert "SE count of 28 for SE02=0001 is wrong. I count 29" in messages


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("BPR*I*185*", "BPR*I*12345678901*", "The payment: BPR02 is 12345678901"),
        ("CLP*PS00000001*1*300*", "CLP*PS00000001*1*12345678901234*", "CLP PS00000001: CLP03 is 12345678901234"),
        ("CLP*OTHER1*1*10*10**", "CLP*OTHER1*1*10*10*-99999999999*", "CLP OTHER1: CLP05 is -99999999999"),
        ("SVC*HC:H0038*100*80**2*", "SVC*HC:H0038*123456789*80**2*", "CLP PS00000001, line 2: SVC02 is 123456789"),
        ("CAS*PR*2*20~", "CAS*PR*2*100000000~", "CLP PS00000001, line 2: CAS03 is 100000000"),
        ("AMT*B6*50~", "AMT*B6*50.005~", "CLP PS00000001, line 1: AMT02 is 50.005"),
        ("SVC*HC:H0038:HE*100*80**4~", "SVC*HC:H0038:HE*100*80**123456789~", "CLP PS00000001, line 3: SVC05"),
        ("*WO:A1*1*", "*WO:A1*99999999999*", "PLB: PLB04 is 99999999999"),
    ],
)
def test_an_amount_too_wide_to_store_or_post_is_refused_naming_the_claim_and_element(old, new, message):
    assert old in RICH
    with pytest.raises(RemittanceFileError) as error:
        read_835(RICH.replace(old, new, 1))
    [found] = error.value.messages
    assert found.startswith(message), found


def test_st03_which_the_835_guide_marks_not_used_is_tolerated_only_with_the_guides_version():
    # Payers commonly send it: the same remittance reads the same with it.
    assert read_835(RICH.replace("ST*835*0001~", "ST*835*0001*005010X221A1~")) == read_835(RICH)
    with pytest.raises(RemittanceFileError, match="ST03.*Not Used"):
        read_835(RICH.replace("ST*835*0001~", "ST*835*0001*005010X222A1~"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not an X12 file"),
        ("Dear provider, please find our remittance attached.", "not an X12 file"),
        (RICH.replace("ST*835*0002", "ST*277*0002"), "a 277 claim status response, not an 835"),
        (RICH.replace("005010X221A1", "004010X091A1"), "version 005010X221A1 .* is 004010X091A1"),
    ],
)
def test_files_that_are_not_5010_835s_are_refused_in_plain_words(text, message):
    with pytest.raises(RemittanceFileError, match=message):
        read_835(text)


def test_codes_have_their_standard_meanings():
    assert carc_meaning("45").startswith("Charge exceeds fee schedule/maximum allowable")
    assert carc_meaning("CO-16") == "Claim/service lacks information or has submission/billing error(s)."
    for code in ["1", "2", "3", "4", "16", "18", "23", "27", "29", "45", "50", "96", "97", "109", "119", "151",
                 "167", "197", "204", "242", "253"]:  # fmt: skip
        assert carc_meaning(code) != UNKNOWN, code
    for code in ["N130", "N362", "MA130", "M15", "N179", "N290", "MA01", "N20", "M80"]:
        assert rarc_meaning(code) != UNKNOWN, code
    assert carc_meaning("Z9") == UNKNOWN and "x12.org" in UNKNOWN
    assert group_meaning("PR").startswith("Patient responsibility") and group_meaning("co").startswith("Contractual")
    rendered = Template("{% load remittance_codes %}{{ code|carc_meaning }} / {{ remark|rarc_meaning }}").render(
        Context({"code": "29", "remark": "N20"})
    )
    assert (
        rendered
        == "The time limit for filing has expired. / Service not payable with other service rendered on the same date."
    )
