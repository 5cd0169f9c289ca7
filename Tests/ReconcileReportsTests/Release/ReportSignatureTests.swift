import Foundation
import Sodium
import Testing
@testable import ReconcileReports

@Suite struct ReportSignatureTests {
    let key = SigningKeyPair.generate()
    let document = Array(#"{"council_area":"shropshire","quarter":"2026-Q1"}"#.utf8)

    @Test func aSignedReportVerifiesWithThePublishedKey() {
        let signature = ReportSignature.sign(document, with: key)
        #expect(ReportSignature.verify(document, signatureBase64: signature + "\n", publicKeyBase64: ReportSignature.publicKeyBase64(key)))
    }

    @Test func anyChangeToTheBytesOrKeyFailsVerification() {
        let signature = ReportSignature.sign(document, with: key)
        var altered = document
        altered[altered.count - 3] ^= 0x01
        let publicKey = ReportSignature.publicKeyBase64(key)
        #expect(!ReportSignature.verify(altered, signatureBase64: signature, publicKeyBase64: publicKey))
        #expect(!ReportSignature.verify(document + [0x0A], signatureBase64: signature, publicKeyBase64: publicKey))
        #expect(!ReportSignature.verify(document, signatureBase64: signature,
                                        publicKeyBase64: ReportSignature.publicKeyBase64(.generate())))
        #expect(!ReportSignature.verify(document, signatureBase64: "not base64!", publicKeyBase64: publicKey))
        #expect(!ReportSignature.verify(document, signatureBase64: signature, publicKeyBase64: "AAAA"))
    }
}
