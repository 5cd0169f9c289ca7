// Adapted from HummingbirdTesting's RouterTestFramework (hummingbird-project/hummingbird, Apache-2.0; see
// Tests/RouterTesting/NOTICE). Only the `.router` way of testing, which is all this suite uses: a request goes
// straight to the application's responder, without a socket. Keeping it here instead of depending on
// HummingbirdTesting leaves AsyncHTTPClient, NIOHTTP2 and swift-configuration out of the build.

import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import ServiceLifecycle

/// A response as a test sees it.
public struct TestResponse: Sendable {
    public let head: HTTPResponse
    public var status: HTTPResponse.Status { head.status }
    public var headers: HTTPFields { head.headerFields }
    public let body: ByteBuffer
    public let trailerHeaders: HTTPFields?
}

/// What a test sends requests through.
public protocol TestClientProtocol: Sendable {
    func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse
}

extension TestClientProtocol {
    @discardableResult public func execute<Return>(
        uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil,
        testCallback: @escaping (TestResponse) async throws -> Return = { $0 }
    ) async throws -> Return {
        try await testCallback(try await executeRequest(uri: uri, method: method, headers: headers, body: body))
    }
}

/// How a test reaches the application; only straight to its router.
public enum TestingSetup: Sendable { case router }

extension ApplicationProtocol where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
    /// Runs `test` against the application's responder, with its services running (started before the test,
    /// shut down gracefully after it), as HummingbirdTesting's `.router` does.
    public func test<Value>(_ setup: TestingSetup, _ test: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let client = RouterClient(responder: try await responder, logger: logger)
        if services.isEmpty {
            for process in processesRunBeforeServerStart { try await process() }
            return try await test(client)
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let (started, signal) = AsyncStream.makeStream(of: Void.self)
            let serviceGroup = ServiceGroup(configuration: .init(
                services: services + [StartedSignal(signal: signal)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            group.addTask { try await serviceGroup.run() }
            do {
                for process in processesRunBeforeServerStart { try await process() }
                // Wait until the group runs, or a shutdown triggered now would leave its services never run.
                await started.first { _ in true }
                let value = try await test(client)
                await serviceGroup.triggerGracefulShutdown()
                return value
            } catch {
                await serviceGroup.triggerGracefulShutdown()
                throw error
            }
        }
    }
}

private struct RouterClient<Responder: HTTPResponder>: TestClientProtocol
where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
    let responder: Responder
    let logger: Logger

    func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        var headers = headers
        if let length = body?.readableBytes { headers[.contentLength] = String(length) }
        let request = Request(
            head: .init(method: method, scheme: "http", authority: "localhost", path: uri, headerFields: headers),
            body: RequestBody(buffer: body ?? ByteBuffer()))
        var logger = self.logger
        logger[metadataKey: "hb.request.id"] = .stringConvertible(RequestID())
        // Closed after the response: a NIO pipeline holds its channel until the channel closes, so a channel left
        // open is a cycle that keeps it, its event loop and its buffers (28 allocations a request under ASan).
        let channel = NIOAsyncTestingChannel()
        let context = Responder.Context(source: .init(channel: channel, logger: logger))
        let response: Response
        do {
            response = try await responder.respond(to: request, context: context)
        } catch {
            response = Response(status: .internalServerError)
        }
        let writer = CollectingWriter()
        do {
            try await response.body.write(writer)
        } catch {
            _ = try? await channel.finish(acceptAlreadyClosed: true)
            throw error
        }
        _ = try? await channel.finish(acceptAlreadyClosed: true)
        return writer.values.withLockedValue { TestResponse(head: response.head, body: $0.body, trailerHeaders: $0.trailers) }
    }
}

private struct CollectingWriter: ResponseBodyWriter {
    let values = NIOLockedValueBox<(body: ByteBuffer, trailers: HTTPFields?)>((ByteBuffer(), nil))
    func write(_ buffer: ByteBuffer) async throws { values.withLockedValue { $0.body.writeImmutableBuffer(buffer) } }
    func finish(_ trailers: HTTPFields?) async throws { values.withLockedValue { $0.trailers = trailers } }
}

private struct StartedSignal: Service {
    let signal: AsyncStream<Void>.Continuation
    func run() async throws {
        signal.finish()
        try? await gracefulShutdown()
    }
}
