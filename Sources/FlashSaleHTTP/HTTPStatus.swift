/// An HTTP status code with its reason phrase.
public struct HTTPStatus: Sendable, Equatable {
    /// The numeric code, e.g. 200.
    public let code: Int
    /// "200 OK" (code and reason as they appear on the status line).
    let line: StaticString

    /// A status with a custom line, e.g. `HTTPStatus(code: 299, line: "299 Custom")`.
    public init(code: Int, line: StaticString) {
        self.code = code
        self.line = line
    }

    public static func == (a: HTTPStatus, b: HTTPStatus) -> Bool { a.code == b.code }

    public static let `continue` = HTTPStatus(code: 100, line: "100 Continue")
    public static let ok = HTTPStatus(code: 200, line: "200 OK")
    public static let created = HTTPStatus(code: 201, line: "201 Created")
    public static let accepted = HTTPStatus(code: 202, line: "202 Accepted")
    public static let noContent = HTTPStatus(code: 204, line: "204 No Content")
    public static let badRequest = HTTPStatus(code: 400, line: "400 Bad Request")
    public static let unauthorized = HTTPStatus(code: 401, line: "401 Unauthorized")
    public static let forbidden = HTTPStatus(code: 403, line: "403 Forbidden")
    public static let notFound = HTTPStatus(code: 404, line: "404 Not Found")
    public static let methodNotAllowed = HTTPStatus(code: 405, line: "405 Method Not Allowed")
    public static let requestTimeout = HTTPStatus(code: 408, line: "408 Request Timeout")
    public static let conflict = HTTPStatus(code: 409, line: "409 Conflict")
    public static let contentTooLarge = HTTPStatus(code: 413, line: "413 Content Too Large")
    public static let uriTooLong = HTTPStatus(code: 414, line: "414 URI Too Long")
    public static let unsupportedMediaType = HTTPStatus(code: 415, line: "415 Unsupported Media Type")
    public static let unprocessableContent = HTTPStatus(code: 422, line: "422 Unprocessable Content")
    public static let tooManyRequests = HTTPStatus(code: 429, line: "429 Too Many Requests")
    public static let headerFieldsTooLarge = HTTPStatus(code: 431, line: "431 Request Header Fields Too Large")
    public static let internalServerError = HTTPStatus(code: 500, line: "500 Internal Server Error")
    public static let notImplemented = HTTPStatus(code: 501, line: "501 Not Implemented")
    public static let serviceUnavailable = HTTPStatus(code: 503, line: "503 Service Unavailable")
    public static let httpVersionNotSupported = HTTPStatus(code: 505, line: "505 HTTP Version Not Supported")
}

/// A response media type, written as the `Content-Type` header.
public struct HTTPContentType: Sendable {
    let value: StaticString
    /// No `Content-Type` header.
    let isNone: Bool

    /// A media type given verbatim, e.g. `HTTPContentType("text/csv")`.
    public init(_ value: StaticString) {
        self.value = value
        isNone = false
    }

    private init(none: Void) {
        value = ""
        isNone = true
    }

    /// `application/json`.
    public static let json = HTTPContentType("application/json")
    /// `text/plain; charset=utf-8`.
    public static let plainText = HTTPContentType("text/plain; charset=utf-8")
    /// Prometheus text exposition format.
    public static let prometheus = HTTPContentType("text/plain; version=0.0.4; charset=utf-8")
    /// No `Content-Type` header (e.g. empty bodies).
    public static let none = HTTPContentType(none: ())
}
