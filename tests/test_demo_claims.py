"""A batch per payer of the demo, exported as the billing clerk would, says in every segment
what the notes say: the payer's own envelope and receiver, the payer in 2010BB, the line's
place (SV105) when it differs from the claim's, the authorization (REF*G1), the rendering
provider (NM1*82) where the payer requires it, and a CSV that agrees line by line."""

import pytest

from accounts.models import User
from audit.context import AuditContext
from billing import services
from billing.assessment import READY
from billing.billability import assess, billable_notes
from billing.models import ClaimLine
from billing.tests.x12_validation import assert_valid, envelope, lines_of_837, lines_of_csv
from programs.models import Payer


@pytest.mark.django_db
def test_each_demo_payers_batch_says_what_its_notes_say(demo_agency):
    ready = [a for a in assess(billable_notes()) if a.status == READY]
    payers = {a.payer for a in ready}
    assert {p.name for p in payers} >= {"Texas Medicaid"}
    seen = {"sv105": 0, "ref_g1": 0, "nm1_82": 0, "payers": 0}
    for payer in Payer.objects.filter(pk__in=[p.pk for p in payers]):
        seen["payers"] += 1
        notes = [a.note.pk for a in ready if a.payer == payer]
        ctx = AuditContext(User.objects.get(email="billing@example.org"))
        batch = services.batch_export(batch=services.batch_build(payer=payer, note_ids=notes, ctx=ctx), ctx=ctx)
        text = batch.file_837
        assert_valid(text)
        isa08, usage, gs03, receiver = envelope(text)
        assert (isa08.strip(), usage, gs03) == (payer.receiver_id, payer.usage, payer.receiver_id)
        assert f"NM1*PR*2*{payer.name.upper()}*****PI*{payer.payer_id}~" in text  # 2010BB
        lines = ClaimLine.objects.filter(claim__batch=batch).select_related("claim__authorization", "note__author")
        for claim in batch.claims.select_related("authorization", "rendering_provider"):
            block = text.split(f"CLM*{claim.claim_number}*")[1].split("CLM*")[0]
            if claim.authorization:
                assert f"REF*G1*{claim.authorization.number}~" in block
            else:
                assert "REF*G1*" not in block
            if payer.requires_rendering_provider:
                assert "NM1*82*1*" in block and f"*XX*{claim.rendering_provider.npi}~" in block
            else:
                assert "NM1*82*" not in block
        from_837 = lines_of_837(text)
        assert from_837 == lines_of_csv(batch.file_csv)
        by_note = {
            (line.claim.claim_number, line.service_date.strftime("%Y%m%d"), line.units): line.note for line in lines
        }
        for claim_number, day, _code, units, _charge, place in from_837:
            assert by_note[(claim_number, day, int(units))].place_of_service == place  # SV105 or CLM05-1
        assert len(from_837) == len(notes)
        sv1 = [seg.split("*") for seg in text.split("~") if seg.startswith("SV1*")]
        seen["sv105"] += sum(1 for e in sv1 if len(e) > 5 and e[5])
        seen["ref_g1"] += text.count("REF*G1*")
        seen["nm1_82"] += text.count("NM1*82*")
    # The demo exercises every part checked above, so none of the checks is vacuous.
    assert all(seen.values()), seen
