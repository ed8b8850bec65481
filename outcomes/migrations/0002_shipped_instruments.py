"""Load the instruments shipped in outcomes/definitions/: PHQ-9, GAD-7, WHO-5, GDS-15 and
BARC-10, each free to use (the licence is in its file)."""

import json
from pathlib import Path

from django.db import migrations

DEFINITIONS = Path(__file__).resolve().parent.parent / "definitions"


def load(apps, schema_editor):
    from outcomes.instruments import parse

    Instrument = apps.get_model("outcomes", "Instrument")
    for path in sorted(DEFINITIONS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        spec = parse(data)
        Instrument.objects.get_or_create(
            code=spec.code, version=spec.version, defaults={"name": spec.name, "definition": data}
        )


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
