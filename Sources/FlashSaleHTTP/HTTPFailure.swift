/// A request the server answers itself with an error (framing, limits,
/// routing), as the DESIGN error object `{"error":{"code":…,"message":…}}`.
struct HTTPFailure {
    let status: HTTPStatus
    let code: StaticString
    let message: StaticString

    static let badRequest = HTTPFailure(status: .badRequest, code: "bad_request", message: "malformed request")
    static let badTarget = HTTPFailure(status: .badRequest, code: "bad_request", message: "invalid request target")
    static let badHeaderName = HTTPFailure(status: .badRequest, code: "bad_request", message: "invalid character in a header name (whitespace before the colon?)")
    static let badHeaderValue = HTTPFailure(status: .badRequest, code: "bad_request", message: "invalid character in a header value")
    static let bareCR = HTTPFailure(status: .badRequest, code: "bad_request", message: "bare CR in the header block")
    static let bareLF = HTTPFailure(status: .badRequest, code: "bad_request", message: "bare LF: lines must end with CRLF")
    static let missingColon = HTTPFailure(status: .badRequest, code: "bad_request", message: "header line without a colon")
    static let badHost = HTTPFailure(status: .badRequest, code: "bad_request", message: "invalid Host header")
    static let chunkExtensionTooLong = HTTPFailure(status: .badRequest, code: "bad_request", message: "chunk extension too long")
    static let obsFold = HTTPFailure(status: .badRequest, code: "bad_request", message: "obsolete line folding is not accepted")
    static let missingHost = HTTPFailure(status: .badRequest, code: "bad_request", message: "HTTP/1.1 request without a Host header")
    static let duplicateHost = HTTPFailure(status: .badRequest, code: "bad_request", message: "more than one Host header")
    static let badContentLength = HTTPFailure(status: .badRequest, code: "bad_request", message: "invalid Content-Length")
    static let duplicateContentLength = HTTPFailure(status: .badRequest, code: "bad_request", message: "more than one Content-Length")
    static let lengthAndChunked = HTTPFailure(status: .badRequest, code: "bad_request", message: "Content-Length together with Transfer-Encoding")
    static let duplicateTransferEncoding = HTTPFailure(status: .badRequest, code: "bad_request", message: "more than one Transfer-Encoding")
    static let transferEncodingInHTTP10 = HTTPFailure(status: .badRequest, code: "bad_request", message: "Transfer-Encoding in an HTTP/1.0 request")
    static let badChunk = HTTPFailure(status: .badRequest, code: "bad_request", message: "invalid chunked body")
    static let unknownTransferCoding = HTTPFailure(status: .notImplemented, code: "not_implemented", message: "only Transfer-Encoding: chunked is supported")
    static let unknownMethod = HTTPFailure(status: .notImplemented, code: "not_implemented", message: "unknown method")
    static let missingVersion = HTTPFailure(status: .badRequest, code: "bad_request", message: "request line without an HTTP version")
    static let badVersion = HTTPFailure(status: .httpVersionNotSupported, code: "http_version_not_supported", message: "only HTTP/1.0 and HTTP/1.1 are supported")
    static let uriTooLong = HTTPFailure(status: .uriTooLong, code: "uri_too_long", message: "request target too long")
    static let headersTooLarge = HTTPFailure(status: .headerFieldsTooLarge, code: "header_fields_too_large", message: "header block too large")
    static let tooManyHeaders = HTTPFailure(status: .headerFieldsTooLarge, code: "header_fields_too_large", message: "too many header fields")
    static let bodyTooLarge = HTTPFailure(status: .contentTooLarge, code: "content_too_large", message: "request body too large")
    static let timeout = HTTPFailure(status: .requestTimeout, code: "request_timeout", message: "request not received in time")
    static let notFound = HTTPFailure(status: .notFound, code: "not_found", message: "no such resource")
    static let methodNotAllowed = HTTPFailure(status: .methodNotAllowed, code: "method_not_allowed", message: "method not allowed on this resource")
    static let needsJSON = HTTPFailure(status: .unsupportedMediaType, code: "unsupported_media_type", message: "Content-Type must be application/json")
    static let upgradeUnsupported = HTTPFailure(status: .badRequest, code: "bad_request", message: "protocol upgrade and CONNECT are not supported")
}
