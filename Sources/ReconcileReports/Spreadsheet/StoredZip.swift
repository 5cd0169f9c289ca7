/// A ZIP archive of stored (uncompressed) entries, which is all an OpenDocument file needs: ODF requires its
/// `mimetype` entry first and stored, and a report's sheets are a few kilobytes, so compression would buy little.
/// Written here rather than taken from a ZIP library so the build stays small and the bytes are exactly ours:
/// no data descriptors, no extra fields, a fixed timestamp (the same report gives the same bytes), ZIP 2.0.
public struct StoredZip: Sendable {
    private var body: [UInt8] = []
    private var central: [UInt8] = []
    private var count = 0

    public init() {}

    public enum ZipError: Error, Equatable { case tooLarge, nameTooLong }

    /// Adds one file. Names are ASCII paths ("META-INF/manifest.xml").
    public mutating func add(_ name: String, _ data: [UInt8]) throws(ZipError) {
        let nameBytes = Array(name.utf8)
        guard nameBytes.count <= 0xFFFF else { throw .nameTooLong }
        // ZIP without its 64-bit extension: every size and offset must fit in 32 bits, and entries in 16.
        guard data.count < 0xFFFF_FFFF, body.count + data.count + 30 + nameBytes.count < 0xFFFF_FFFF, count < 0xFFFF else {
            throw .tooLarge
        }
        let crc = CRC32.checksum(data), offset = UInt32(body.count)
        // Local file header.
        Self.le32(0x0403_4B50, &body); Self.le16(20, &body); Self.le16(0, &body); Self.le16(0, &body)   // stored
        Self.le16(Self.dosTime, &body); Self.le16(Self.dosDate, &body)
        Self.le32(crc, &body); Self.le32(UInt32(data.count), &body); Self.le32(UInt32(data.count), &body)
        Self.le16(UInt16(nameBytes.count), &body); Self.le16(0, &body)
        body += nameBytes
        body += data
        // Its central directory record.
        Self.le32(0x0201_4B50, &central); Self.le16(20, &central); Self.le16(20, &central); Self.le16(0, &central); Self.le16(0, &central)
        Self.le16(Self.dosTime, &central); Self.le16(Self.dosDate, &central)
        Self.le32(crc, &central); Self.le32(UInt32(data.count), &central); Self.le32(UInt32(data.count), &central)
        Self.le16(UInt16(nameBytes.count), &central); Self.le16(0, &central); Self.le16(0, &central)   // extra, comment
        Self.le16(0, &central); Self.le16(0, &central); Self.le32(0, &central)                     // disk, attributes
        Self.le32(offset, &central)
        central += nameBytes
        count += 1
    }

    /// The finished archive.
    public func bytes() -> [UInt8] {
        var out = body + central
        Self.le32(0x0605_4B50, &out); Self.le16(0, &out); Self.le16(0, &out)
        Self.le16(UInt16(count), &out); Self.le16(UInt16(count), &out)
        Self.le32(UInt32(central.count), &out); Self.le32(UInt32(body.count), &out); Self.le16(0, &out)
        return out
    }

    /// 1 January 1980, 00:00, the first moment MS-DOS time can name.
    static let dosTime: UInt16 = 0, dosDate: UInt16 = (0 << 9) | (1 << 5) | 1

    static func le16(_ v: UInt16, _ out: inout [UInt8]) { out += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func le32(_ v: UInt32, _ out: inout [UInt8]) {
        out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
    }
}

/// CRC-32 as ZIP uses it (IEEE 802.3, reflected polynomial 0xEDB88320), table-driven.
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func checksum(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { t in
            for byte in data { c = t[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        }
        return c ^ 0xFFFF_FFFF
    }
}
