/// A request the server answers itself with an error (framing, limits, routing), as
/// the error object `{"error":{"code":…,"message":…}}`; its code (and so its status)
/// comes from the one table, ``APIErrorCode``.
struct HTTPFailure {
    let code: APIErrorCode
    let message: StaticString

    init(_ code: APIErrorCode, _ message: StaticString) {
        self.code = code
        self.message = message
    }

    var status: HTTPStatus { code.status }

    static let badRequest = HTTPFailure(.badRequest, "malformed request")
    static let badTarget = HTTPFailure(.badRequest, "invalid request target")
    static let badHeaderName = HTTPFailure(.badRequest, "invalid character in a header name (whitespace before the colon?)")
    static let badHeaderValue = HTTPFailure(.badRequest, "invalid character in a header value")
    static let bareCR = HTTPFailure(.badRequest, "bare CR in the header block")
    static let bareLF = HTTPFailure(.badRequest, "bare LF: lines must end with CRLF")
    static let missingColon = HTTPFailure(.badRequest, "header line without a colon")
    static let badHost = HTTPFailure(.badRequest, "invalid Host header")
    static let chunkExtensionTooLong = HTTPFailure(.badRequest, "chunk extension too long")
    static let obsFold = HTTPFailure(.badRequest, "obsolete line folding is not accepted")
    static let missingHost = HTTPFailure(.badRequest, "HTTP/1.1 request without a Host header")
    static let duplicateHost = HTTPFailure(.badRequest, "more than one Host header")
    static let badContentLength = HTTPFailure(.badRequest, "invalid Content-Length")
    static let duplicateContentLength = HTTPFailure(.badRequest, "more than one Content-Length")
    static let lengthAndChunked = HTTPFailure(.badRequest, "Content-Length together with Transfer-Encoding")
    static let duplicateTransferEncoding = HTTPFailure(.badRequest, "more than one Transfer-Encoding")
    static let transferEncodingInHTTP10 = HTTPFailure(.badRequest, "Transfer-Encoding in an HTTP/1.0 request")
    static let badChunk = HTTPFailure(.badRequest, "invalid chunked body")
    static let unknownTransferCoding = HTTPFailure(.notImplemented, "only Transfer-Encoding: chunked is supported")
    static let unknownMethod = HTTPFailure(.notImplemented, "unknown method")
    static let missingVersion = HTTPFailure(.badRequest, "request line without an HTTP version")
    static let badVersion = HTTPFailure(.httpVersionNotSupported, "only HTTP/1.0 and HTTP/1.1 are supported")
    static let uriTooLong = HTTPFailure(.uriTooLong, "request target too long")
    static let headersTooLarge = HTTPFailure(.headerFieldsTooLarge, "header block too large")
    static let tooManyHeaders = HTTPFailure(.headerFieldsTooLarge, "too many header fields")
    static let bodyTooLarge = HTTPFailure(.contentTooLarge, "request body too large")
    static let timeout = HTTPFailure(.requestTimeout, "request not received in time")
    static let notFound = HTTPFailure(.notFound, "no such resource")
    static let methodNotAllowed = HTTPFailure(.methodNotAllowed, "method not allowed on this resource")
    static let needsJSON = HTTPFailure(.unsupportedMediaType, "Content-Type must be application/json")
    static let upgradeUnsupported = HTTPFailure(.badRequest, "protocol upgrade and CONNECT are not supported")
}
