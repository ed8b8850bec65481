"""Our own structural checks of an 837P, run at every export (validation.export_problems):
the envelope (ISA/GS/ST ... SE/GE/IEA, their counts and control numbers), the segments every
claim must carry, and the lengths of the elements we write. pyx12 checks all of this and more
against the 005010X222A1 map, but after the export (billing.file_check); these catch, at once
and in a fraction of its time, what a generator bug would most likely break."""

from .x12 import ELEMENT, SEGMENT, Problem

# (tag, qualifier in element 1 or "") -> the segment's name in the implementation guide.
_REQUIRED_IN_CLAIM = {
    ("SBR", ""): "Subscriber Information",
    ("NM1", "IL"): "Subscriber Name",
    ("NM1", "PR"): "Payer Name",
    ("CLM", ""): "Claim Information",
    ("HI", ""): "Health Care Diagnosis Code",
}
# The most characters an element may have (005010X222A1), for the elements whose length our
# data decides (names, IDs, addresses, amounts); the others are fixed codes.
_MAX_LENGTH = {
    ("CLM", 1): 38, ("CLM", 2): 18, ("NM1", 3): 60, ("NM1", 4): 35, ("NM1", 9): 80, ("N3", 1): 55,
    ("N4", 1): 30, ("N4", 2): 2, ("N4", 3): 15, ("REF", 2): 50, ("SV1", 2): 18, ("SV1", 4): 15,
    ("SVD", 2): 18, ("AMT", 2): 18, ("CAS", 3): 18, ("PER", 2): 60, ("PER", 4): 256,
}  # fmt: skip


_LIMITS_BY_TAG: dict[str, list[tuple[int, int]]] = {}
for (_tag, _position), _most in _MAX_LENGTH.items():
    _LIMITS_BY_TAG.setdefault(_tag, []).append((_position, _most))


def _segments(text: str) -> list[list[str]]:
    return [s.split(ELEMENT) for s in text.strip().split(SEGMENT) if s]


def _element(segment: list[str], position: int) -> str:
    return segment[position] if len(segment) > position else ""


def envelope_problems(text: str, *, split: list[list[str]] | None = None) -> list[Problem]:
    """`split`: the file's segments already split into elements (validation.export_problems)."""
    segments = _segments(text) if split is None else split
    tags = [s[0] for s in segments]
    problems = [Problem("", message) for message in _envelope(segments, tags)]
    problems += _claims(segments)
    problems += [
        Problem("", f"{segment[0]}{position:02d} is longer than {most} characters: {value!r}.")
        for segment in segments
        for position, most in _LIMITS_BY_TAG.get(segment[0], ())
        if len(value := _element(segment, position)) > most
    ]
    return problems


def _envelope(segments: list[list[str]], tags: list[str]) -> list[str]:
    """One interchange holding one group holding one transaction, each closed by its trailer
    with the right count and the control number its header gave."""
    expected = ["ISA", "GS", "ST"], ["SE", "GE", "IEA"]
    if tags[:3] != expected[0] or tags[-3:] != expected[1]:
        return ["The file is not one ISA/GS/ST ... SE/GE/IEA envelope."]
    for tag in ("ISA", "GS", "ST", "SE", "GE", "IEA"):
        if tags.count(tag) != 1:
            return [f"The file has {tags.count(tag)} {tag} segments; it must have one."]
    isa, gs, st, se, ge, iea = segments[0], segments[1], segments[2], segments[-3], segments[-2], segments[-1]
    problems = []
    control = _element(isa, 13)
    if not (len(control) == 9 and control.isdigit()):
        problems.append("ISA13 must be a nine-digit interchange control number.")
    # SE01, the transaction's segment count, is checked with our other rules (validation.own_problems).
    if _element(se, 2) != _element(st, 2):
        problems.append("SE02 differs from ST02, the transaction's control number.")
    if _element(ge, 1) != "1" or _element(ge, 2) != _element(gs, 6):
        problems.append("GE must count one transaction and repeat GS06, the group's control number.")
    if _element(iea, 1) != "1" or _element(iea, 2) != control:
        problems.append("IEA must count one group and repeat ISA13, the interchange control number.")
    if _element(gs, 6).lstrip("0") != control.lstrip("0"):
        problems.append("GS06 differs from ISA13: the group's number is the interchange's.")
    return problems


def _claims(segments: list[list[str]]) -> list[Problem]:
    """Each subscriber loop (HL ... 22) carries its claim's required segments, and each of its
    service lines (LX) an SV1 and its date (DTP*472)."""
    problems = []
    blocks: list[list[list[str]]] = []
    for segment in segments:
        if segment[0] == "HL" and _element(segment, 3) == "22":
            blocks.append([])
        elif segment[0] in ("HL", "SE"):
            blocks.append(None)  # the billing provider's loop, or the end: not a claim
        if blocks and blocks[-1] is not None:
            blocks[-1].append(segment)
    for block in filter(None, blocks):
        clm = next((s for s in block if s[0] == "CLM"), None)
        claim = _element(clm, 1) if clm else ""
        present = {(s[0], _element(s, 1) if s[0] == "NM1" else "") for s in block}
        for (tag, qualifier), name in _REQUIRED_IN_CLAIM.items():
            if (tag, qualifier) not in present:
                problems.append(Problem(claim, f'{name} ({tag}): Mandatory segment "{name}" ({tag}) missing'))
        lines = [i for i, s in enumerate(block) if s[0] == "LX"]
        if not lines:
            problems.append(Problem(claim, "The claim has no service line (LX, SV1)."))
        for number, (start, end) in enumerate(zip(lines, [*lines[1:], len(block)], strict=True), start=1):
            line = block[start:end]
            if not any(s[0] == "SV1" for s in line) or not any(s[:2] == ["DTP", "472"] for s in line):
                problems.append(Problem(claim, f"Line {number} lacks its SV1 or its date of service (DTP*472)."))
    return problems
