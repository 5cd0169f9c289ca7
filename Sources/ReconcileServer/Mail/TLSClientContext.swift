import COpenSSLTLS
import Foundation
import ReconcileCore
#if canImport(Glibc)
import Glibc
#endif

/// The relay's TLS client settings on the system's OpenSSL: TLS 1.2 or later, and the relay's certificate chain
/// checked against the system's roots, or only against `mail.tls_ca_file` when that is set. The relay's name (or
/// address) is checked against the certificate for each connection (`RelayConnection.startTLS`).
final class TLSClientContext: @unchecked Sendable {  // An SSL_CTX is safe to share once set up; nothing changes it after init.
    let context: OpaquePointer

    init(caFile: String?) throws {
        // A write to a relay that has gone away must fail with EPIPE, not end the process (OpenSSL writes with
        // write(2), which raises SIGPIPE). Every other socket in the process is NIO's, which never relies on it.
        signal(SIGPIPE, SIG_IGN)
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw SettingsError("TLS is not available (OpenSSL)") }
        self.context = context
        defer { ERR_clear_error(); OPENSSL_thread_stop() }  // this thread's error queue: see SMTPSession.onQueue
        guard reconcile_ssl_ctx_set_min_tls12(context) == 1 else { throw SettingsError("TLS 1.2 is not available (OpenSSL)") }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        if let caFile {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                throw SettingsError("mail.tls_ca_file \(caFile) holds no readable PEM certificate")
            }
        } else if SSL_CTX_set_default_verify_paths(context) != 1 {
            throw SettingsError("the system's certificate roots cannot be read (OpenSSL)")
        }
    }

    deinit { SSL_CTX_free(context) }
}
