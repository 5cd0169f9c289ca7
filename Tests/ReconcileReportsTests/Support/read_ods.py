#!/usr/bin/env python3
"""Reads an ODS file with odfpy (an independent OpenDocument reader) and prints every sheet's cells as JSON:
{"mimetype": ..., "title": ..., "sheets": [{"name": ..., "header_rows": n, "rows": [[{"type", "value", "text", "href"}]]}]}.
Exit 1 when the file does not open."""
import json, sys, zipfile
from odf.opendocument import load
from odf import table, text, teletype, dc

def cell_json(cell):
    kind = cell.getAttribute("valuetype")
    links = cell.getElementsByType(text.A)
    out = {"type": kind, "value": cell.getAttribute("value"), "text": "\n".join(
        teletype.extractText(p) for p in cell.getElementsByType(text.P)), "href": links[0].getAttribute("href") if links else None}
    return out

def main(path):
    with zipfile.ZipFile(path) as z:
        first = z.infolist()[0]
        bad = z.testzip()
        if bad is not None:
            print(f"bad CRC in {bad}", file=sys.stderr); return 1
        stored_first = first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    doc = load(path)
    titles = doc.meta.getElementsByType(dc.Title)
    sheets = []
    for sheet in doc.spreadsheet.getElementsByType(table.Table):
        header_rows = sum(len(h.getElementsByType(table.TableRow)) for h in sheet.getElementsByType(table.TableHeaderRows))
        rows = [[cell_json(c) for c in row.getElementsByType(table.TableCell)] for row in sheet.getElementsByType(table.TableRow)]
        sheets.append({"name": sheet.getAttribute("name"), "header_rows": header_rows, "rows": rows})
    print(json.dumps({"mimetype": doc.mimetype, "mimetype_first_and_stored": stored_first,
                      "title": teletype.extractText(titles[0]) if titles else None, "sheets": sheets}))
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
