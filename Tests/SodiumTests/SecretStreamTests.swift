import Foundation
import Testing
@testable import Sodium

/// The backup encryption: standard libsodium secretstream (PyNaCl opens ours, we open PyNaCl's), and a
/// stream that is cut short, reordered, altered or extended never opens in full.
@Suite struct SecretStreamTests {
    let key = SecretKey(bytes: [UInt8](0..<32))
    let ad = Array("RECONCILE-BACKUP header".utf8)
    let messages: [[UInt8]] = [Array("first page".utf8), [UInt8](repeating: 0xA5, count: 70_000), Array("last page".utf8)]

    func sealed(_ messages: [[UInt8]]) throws -> (header: [UInt8], chunks: [[UInt8]]) {
        let encryptor = try SecretStream.Encryptor(key: key)
        let chunks = try messages.enumerated().map { i, m in
            try encryptor.push(m, associatedData: i == 0 ? ad : [], final: i == messages.count - 1)
        }
        return (encryptor.header, chunks)
    }

    /// Opens chunks in order; returns the plaintexts and whether the final chunk was seen.
    func opened(_ header: [UInt8], _ chunks: [[UInt8]], key: SecretKey? = nil, ad: [UInt8]? = nil) throws -> ([[UInt8]], Bool) {
        let decryptor = try SecretStream.Decryptor(key: key ?? self.key, header: header)
        let plain = try chunks.enumerated().map { i, c in try decryptor.pull(c, associatedData: i == 0 ? (ad ?? self.ad) : []) }
        return (plain, decryptor.isFinished)
    }

    @Test func interoperatesWithPyNaClBothWays() throws {
        let (header, chunks) = try sealed(messages)
        #expect(header.count == SecretStream.headerLength)
        #expect(chunks.map(\.count) == messages.map { $0.count + SecretStream.overhead })
        let answer = try IndependentReference.run([
            "key": key.copyBytes().base64, "header": header.base64, "chunks": chunks.map(\.base64), "ad": ad.base64,
            "messages": messages.map(\.base64),
        ], script: "independent_secretstream.py")
        #expect((answer["opened"] as? [String]) == messages.map(\.base64))
        let finalTag = answer["tag_final"] as! Int
        #expect((answer["tags"] as? [Int]) == [0, 0, finalTag], "only the last chunk carries TAG_FINAL")

        let pythonHeader = [UInt8](base64: answer["python_header"] as! String)
        let pythonChunks = (answer["python_chunks"] as! [String]).map { [UInt8](base64: $0) }
        let (plain, finished) = try opened(pythonHeader, pythonChunks)
        #expect(plain == messages)
        #expect(finished)
    }

    @Test func roundTripsAndReportsTheEnd() throws {
        let (header, chunks) = try sealed(messages)
        let (plain, finished) = try opened(header, chunks)
        #expect(plain == messages && finished)
        // A fresh random header each time: the same key and plaintext never give the same bytes.
        #expect(try sealed(messages).chunks != chunks)
    }

    @Test func aStreamCutAtAChunkBoundaryIsNotFinished() throws {
        let (header, chunks) = try sealed(messages)
        let (plain, finished) = try opened(header, Array(chunks.dropLast()))
        #expect(plain == Array(messages.dropLast()), "every chunk before the cut opens")
        #expect(!finished, "the reader must see that TAG_FINAL never came")
    }

    @Test func droppedReorderedRepeatedOrAlteredChunksFail() throws {
        let (header, chunks) = try sealed(messages)
        #expect(throws: SodiumError.decryptionFailed) { try opened(header, [chunks[0], chunks[2]]) }
        #expect(throws: SodiumError.decryptionFailed) { try opened(header, [chunks[1], chunks[0], chunks[2]]) }
        #expect(throws: SodiumError.decryptionFailed) { try opened(header, [chunks[0], chunks[0], chunks[1], chunks[2]]) }
        for index in [0, 1, 2] {
            var altered = chunks
            altered[index][altered[index].count / 2] ^= 0x01
            #expect(throws: SodiumError.decryptionFailed) { try opened(header, altered) }
        }
        var badHeader = header
        badHeader[0] ^= 0x80
        #expect(throws: SodiumError.decryptionFailed) { try opened(badHeader, chunks) }
        #expect(throws: SodiumError.decryptionFailed) { try opened(header, chunks, ad: Array("another header".utf8)) }
        #expect(throws: SodiumError.decryptionFailed) { try opened(header, chunks, key: SecretStream.generateKey()) }
    }

    @Test func nothingOpensOrIsWrittenAfterTheFinalChunk() throws {
        let (header, chunks) = try sealed(messages)
        #expect(throws: SodiumError.decryptionFailed) { try opened(header, chunks + [chunks[2]]) }
        let encryptor = try SecretStream.Encryptor(key: key)
        _ = try encryptor.push([1, 2, 3], final: true)
        #expect(throws: SodiumError.self) { try encryptor.push([4], final: true) }
    }

    @Test func refusesKeysOfTheWrongLength() {
        #expect(throws: SodiumError.invalidKeyLength(expected: 32, got: 16)) { try SecretStream.Encryptor(key: SecretKey.random(count: 16)) }
    }
}
