"""First-page pictures of the shipped templates, filled with their sample data: docs/templates/*.png.

    .venv/bin/python scripts/template_pictures.py

Renders each doc_templates/*.docx with its kind's sample through the engine, converts to PDF with
LibreOffice and takes page 1 with pdftoppm (webapp/documents/pdf.py).
"""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webapp import create_app  # noqa: E402
from webapp.documents import engine, pdf  # noqa: E402
from webapp.documents.kinds import KINDS  # noqa: E402

OUT = ROOT / "docs" / "templates"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "pictures", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/x.db",
                          "STORAGE_DIR": f"{tmp}/files"})
        with app.app_context():
            if not pdf.preview_available():
                print("需要 LibreOffice 和 pdftoppm（apt-get install libreoffice-writer-nogui poppler-utils）",
                      file=sys.stderr)
                return 1
            OUT.mkdir(parents=True, exist_ok=True)
            for kind in KINDS.values():
                data = (ROOT / "doc_templates" / kind.shipped).read_bytes()
                document = engine.render(data, kind.complete(kind.sample), bureau=app.config["BUREAU_NAME"])
                target = OUT / kind.shipped.replace(".docx", ".png")
                target.write_bytes(pdf.first_page_png(document))
                print(f"已保存 {target.relative_to(ROOT)}（{kind.label}）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
