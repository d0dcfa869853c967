"""Message catalogues: extract the msgids, update the French and English catalogues,
compile them, and list what the French catalogue lacks.

    python tools/i18n.py update    # extract + merge into translations/{fr,en}
    python tools/i18n.py compile   # .po -> .mo (make does it before run and test)
    python tools/i18n.py check     # exit 1 if a French entry is missing or fuzzy
    python tools/i18n.py set "msgid" "traduction"   # write one French translation

msgids are English; the English catalogue is filled with the msgids themselves (so
that it is complete), the French one by hand with the seeds' wording.
"""

from __future__ import annotations

import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
}
LOCALES = ("fr", "en")


def extract() -> Catalog:
    with open(ROOT / "babel.cfg", encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj)
    catalog = Catalog(project="IMAG'IN", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def read(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, charset="utf-8")
    with open(path, "rb") as fileobj:
        return read_po(fileobj, locale=locale)


def write(catalog: Catalog, locale: str) -> None:
    path = po_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=True)
    path.write_bytes(buffer.getvalue())


def update() -> None:
    template = extract()
    for locale in LOCALES:
        catalog = read(locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        catalog.project = "IMAG'IN"
        catalog.version = "1.0"
        catalog.copyright_holder = "IMAG'IN"
        catalog.msgid_bugs_address = ""
        catalog.last_translator = "IMAG'IN team"
        catalog.language_team = f"{locale} <imagin@localhost>"
        if locale == "en":
            for message in catalog:
                if message.id and not any(message.string or ()):
                    message.string = message.id
        for message in catalog:
            message.flags.discard("fuzzy")
        write(catalog, locale)
    print("Catalogues updated:", ", ".join(str(po_path(locale)) for locale in LOCALES))


def compile_all() -> None:
    for locale in LOCALES:
        catalog = read(locale)
        with open(po_path(locale).with_suffix(".mo"), "wb") as fileobj:
            write_mo(fileobj, catalog, use_fuzzy=False)


def _is_translated(message) -> bool:
    if "fuzzy" in message.flags:
        return False
    if isinstance(message.string, tuple | list):
        return all(part.strip() for part in message.string)
    return bool(message.string and message.string.strip())


def missing(locale: str = "fr") -> list[str]:
    """msgids used in the code without a (non-fuzzy) translation in ``locale``."""
    catalog = read(locale)
    result = []
    for message in extract():
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        if translated is None or not _is_translated(translated):
            result.append(message.id if isinstance(message.id, str) else message.id[0])
    return result


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "set" and len(sys.argv) == 4:
        catalog = read("fr")
        message = catalog.get(sys.argv[2])
        if message is None:
            print("unknown msgid (run update first):", sys.argv[2])
            return 1
        message.string = sys.argv[3]
        message.flags.discard("fuzzy")
        write(catalog, "fr")
    elif command == "check":
        lacking = missing("fr")
        for msgid in lacking:
            print("missing French translation:", msgid)
        return 1 if lacking else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
