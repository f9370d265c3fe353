"""Rich text from the browser editor (plan sections) rendered as real Word structure.

PLACEHOLDER until the rich-text work lands: see the helper's task. `Rich(html)` is the value type
the engine recognises; `to_subdoc(tpl, html)` builds a docxtpl Subdoc.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Rich:
    html: str


def to_subdoc(tpl, html: str):
    subdoc = tpl.new_subdoc()
    subdoc.add_paragraph(html)
    return subdoc
