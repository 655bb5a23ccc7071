extension JSONScanner {
    /// Reads a request body that must be one JSON object whose members are among `names`,
    /// each at most once: `read` gets the index in `names` of each member and reads its
    /// value. An empty body, one that is not an object, an unknown or repeated member and
    /// anything after the object are ``BadRequest``s (`expected` shows the body wanted).
    static func readObjectBody(
        _ bytes: UnsafeRawBufferPointer, names: [StaticString], expected: String,
        _ read: (inout JSONScanner, Int) throws -> Void
    ) throws(BadRequest) {
        guard !bytes.isEmpty else { throw BadRequest("request body is empty; expected \(expected)") }
        var scanner = JSONScanner(bytes)
        var seen = Array(repeating: false, count: names.count)
        do {
            guard try scanner.peek() == UInt8(ascii: "{") else {
                throw BadRequest("request body must be a JSON object; expected \(expected)")
            }
            try scanner.readObject { scanner, key in
                guard let index = names.firstIndex(where: { scanner.tokenEquals(key, $0) }) else {
                    let allowed = names.map { "\"\($0)\"" }
                    throw BadRequest("unknown field; allowed fields are \(allowed.dropLast().joined(separator: ", ")) and \(allowed.last ?? "")")
                }
                guard !seen[index] else { throw BadRequest("duplicate field \"\(names[index])\"") }
                seen[index] = true
                try read(&scanner, index)
            }
            guard scanner.onlyWhitespaceRemains() else { throw BadRequest("unexpected data after the JSON object") }
        } catch {
            throw BadRequest(thrown: error)
        }
    }
}
