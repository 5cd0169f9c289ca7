/// A spreadsheet in the OpenDocument format (ODS, ISO/IEC 26300), the open format the Government Analysis
/// Function asks statistics to be released in. Small on purpose: sheets of plain rows (no merged cells, no
/// blank rows inside a table), text, numbers stored as numbers, links to other sheets, a marked header row.
public struct OpenDocumentSpreadsheet: Sendable {
    public enum Cell: Sendable, Equatable {
        case text(String)
        case number(Double)
        /// Text linking to cell A1 of another sheet (the contents sheet's links).
        case link(String, sheet: String)
        case empty
    }

    public struct Sheet: Sendable {
        public let name: String
        /// Rows before the header (the title in A1, notes on reading it).
        public let above: [[Cell]]
        /// The table's header row, marked as such so screen readers and spreadsheets repeat it (nil: no table).
        public let header: [Cell]?
        public let rows: [[Cell]]

        public init(name: String, above: [[Cell]], header: [Cell]?, rows: [[Cell]]) {
            (self.name, self.above, self.header, self.rows) = (name, above, header, rows)
        }
    }

    public let title: String
    public let sheets: [Sheet]

    public init(title: String, sheets: [Sheet]) {
        self.title = title
        self.sheets = sheets
    }

    static let mediaType = "application/vnd.oasis.opendocument.spreadsheet"

    /// The .ods file: `mimetype` first and stored (so a reader can tell the format from byte 30), then the parts.
    public func bytes() throws -> [UInt8] {
        var zip = StoredZip()
        try zip.add("mimetype", Array(Self.mediaType.utf8))
        try zip.add("META-INF/manifest.xml", Array(Self.manifest.utf8))
        try zip.add("meta.xml", Array(meta.utf8))
        try zip.add("styles.xml", Array(Self.styles.utf8))
        try zip.add("content.xml", Array(content.utf8))
        return zip.bytes()
    }

    static let namespaces = """
        xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
        xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" \
        xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" \
        xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" \
        xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" \
        xmlns:xlink="http://www.w3.org/1999/xlink" \
        xmlns:dc="http://purl.org/dc/elements/1.1/" \
        xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3"
        """

    static let manifest = """
        <?xml version="1.0" encoding="UTF-8"?>
        <manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
        <manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="\(mediaType)"/>
        <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
        <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
        <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
        </manifest:manifest>
        """

    static let styles = """
        <?xml version="1.0" encoding="UTF-8"?>
        <office:document-styles \(namespaces)><office:styles/></office:document-styles>
        """

    /// The document's title and language, which screen readers announce and accessibility checkers look for.
    var meta: String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <office:document-meta \(Self.namespaces)><office:meta><dc:title>\(XMLText.escaped(title))</dc:title>\
        <dc:language>en-GB</dc:language></office:meta></office:document-meta>
        """
    }

    var content: String {
        var x = """
            <?xml version="1.0" encoding="UTF-8"?>
            <office:document-content \(Self.namespaces)><office:automatic-styles>\
            <style:style style:name="coA" style:family="table-column"><style:table-column-properties style:column-width="9cm"/></style:style>\
            <style:style style:name="coB" style:family="table-column"><style:table-column-properties style:column-width="5cm"/></style:style>\
            <style:style style:name="ceTitle" style:family="table-cell"><style:text-properties fo:font-size="14pt" fo:font-weight="bold"/></style:style>\
            <style:style style:name="ceHead" style:family="table-cell"><style:text-properties fo:font-weight="bold"/></style:style>\
            <style:style style:name="ceWrap" style:family="table-cell"><style:table-cell-properties fo:wrap-option="wrap"/></style:style>\
            </office:automatic-styles><office:body><office:spreadsheet>
            """
        for sheet in sheets {
            let columns = max(([sheet.header ?? []] + sheet.above + sheet.rows).map(\.count).max() ?? 1, 1)
            x += "<table:table table:name=\"\(XMLText.escaped(sheet.name))\">"
            x += "<table:table-column table:style-name=\"coA\"/>"
            if columns > 1 { x += "<table:table-column table:style-name=\"coB\" table:number-columns-repeated=\"\(columns - 1)\"/>" }
            for (i, row) in sheet.above.enumerated() { x += Self.row(row, style: i == 0 ? "ceTitle" : "ceWrap") }
            if let header = sheet.header {
                x += "<table:table-header-rows>" + Self.row(header, style: "ceHead") + "</table:table-header-rows>"
            }
            for row in sheet.rows { x += Self.row(row, style: nil) }
            x += "</table:table>"
        }
        return x + "</office:spreadsheet></office:body></office:document-content>"
    }

    static func row(_ cells: [Cell], style: String?) -> String {
        let styled = style.map { " table:style-name=\"\($0)\"" } ?? ""
        var x = "<table:table-row>"
        for cell in cells {
            switch cell {
            case .text(let t):
                x += "<table:table-cell\(styled) office:value-type=\"string\">\(paragraph(t))</table:table-cell>"
            case .number(let n):
                let v = CanonicalJSON.format(n)
                x += "<table:table-cell\(styled) office:value-type=\"float\" office:value=\"\(v)\"><text:p>\(v)</text:p></table:table-cell>"
            case .link(let t, let sheet):
                x += "<table:table-cell\(styled) office:value-type=\"string\"><text:p><text:a xlink:type=\"simple\" "
                    + "xlink:href=\"#\(XMLText.escaped(sheet)).A1\">\(XMLText.escaped(t))</text:a></text:p></table:table-cell>"
            case .empty:
                x += "<table:table-cell/>"
            }
        }
        return x + "</table:table-row>"
    }

    /// A text cell's paragraph; a line break in the text stays a line break.
    static func paragraph(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for s in text.unicodeScalars {   // CR LF and a lone CR are line breaks too
            if s == "\r" { scalars.append("\n") } else if !(s == "\n" && previous == "\r") { scalars.append(s) }
            previous = s
        }
        return "<text:p>" + scalars.split(separator: "\n", omittingEmptySubsequences: false)
            .map { XMLText.escaped(String(String.UnicodeScalarView($0))) }
            .joined(separator: "<text:line-break/>") + "</text:p>"
    }
}
