"""Reading pictures back out of a rendered Word document, the way Word places them."""

from docx.shared import Emu


def floating_pictures(doc) -> list[dict]:
    """Every picture that floats over the text (<wp:anchor>), with what a user would check: its
    size in mm, whether it is in front of the text without pushing it aside, where it is centred
    relative to its place in the line, and the paragraph text around it."""
    found = []
    for anchor in doc.element.body.xpath(".//wp:anchor"):
        extent = anchor.xpath("./wp:extent")[0]
        offset_h = int(anchor.xpath("./wp:positionH/wp:posOffset/text()")[0])
        offset_v = int(anchor.xpath("./wp:positionV/wp:posOffset/text()")[0])
        cx, cy = int(extent.get("cx")), int(extent.get("cy"))
        paragraph = anchor.xpath("./ancestor::w:p[1]")[0]
        found.append({
            "width_mm": round(Emu(cx).mm, 1),
            "in_front": anchor.get("behindDoc") == "0" and bool(anchor.xpath("./wp:wrapNone")),
            "centre_h_mm": round(Emu(offset_h + cx / 2).mm, 1),
            "centre_above_mm": round(Emu(-(offset_v + cy / 2)).mm, 1),
            "embed": anchor.xpath(".//a:blip/@r:embed")[0],
            "paragraph": paragraph,
        })
    return found
