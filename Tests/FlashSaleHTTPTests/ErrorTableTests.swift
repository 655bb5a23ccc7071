import FlashSaleHTTP
import Foundation
import Testing

/// The one error table against the documents users read: `docs/api.md` ("Error codes")
/// and `docs/openapi.yaml` (the Error schema's code enum) list exactly the codes the
/// engine can send, with the same status and meaning.
@Suite struct ErrorTableTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// The rows `| `code` | status | meaning |` of the "Error codes" section of docs/api.md.
    static func apiMarkdownRows() throws -> [String: (status: Int, meaning: String)] {
        let text = try read("docs/api.md")
        guard let section = text.range(of: "## Error codes") else { return [:] }
        var rows: [String: (Int, String)] = [:]
        for line in text[section.upperBound...].split(separator: "\n") {
            if line.hasPrefix("## ") { break }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 5, cells[1].hasPrefix("`"), let status = Int(cells[2]) else { continue }
            rows[cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = (status, cells[3])
        }
        return rows
    }

    /// The Error schema's `code` enum of docs/openapi.yaml (it may span lines).
    static func openAPICodes() throws -> Set<String> {
        let text = try read("docs/openapi.yaml")
        guard let start = text.range(of: "enum: [bad_request"), let end = text[start.upperBound...].firstIndex(of: "]") else {
            return []
        }
        let list = text[text.index(start.lowerBound, offsetBy: "enum: [".count)..<end]
        return Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
    }

    @Test func apiMarkdownListsEveryCodeAndNothingElse() throws {
        let rows = try Self.apiMarkdownRows()
        let table = Set(APIErrorCode.allCases.map(\.text))
        #expect(Set(rows.keys) == table, "docs/api.md codes differ from APIErrorCode")
        for code in APIErrorCode.allCases {
            #expect(rows[code.text]?.status == code.status.code, "\(code.text): status")
            #expect(rows[code.text]?.meaning == code.meaning.description, "\(code.text): meaning")
        }
    }

    @Test func openAPIListsEveryCodeAndNothingElse() throws {
        #expect(try Self.openAPICodes() == Set(APIErrorCode.allCases.map(\.text)))
    }
}
