import ArgumentParser
import Foundation

/// The process environment, read with clear errors. Secrets may also come from files
/// (`NAME_FILE`, as container platforms mount them).
struct Environment {
    private let values = ProcessInfo.processInfo.environment

    func text(_ name: String) -> String? { values[name] }

    func integer(_ name: String) throws -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text) else { throw ValidationError("\(name) must be an integer, got \(text)") }
        return value
    }

    func flag(_ name: String) -> Bool {
        guard let text = values[name]?.lowercased() else { return false }
        return ["1", "true", "yes", "on"].contains(text)
    }

    /// The secret `name`: the variable itself, or the contents of the file named by
    /// `name_FILE` (one trailing newline dropped). nil when neither is set or it is
    /// empty; both set, or an unreadable file, is an error naming the variable.
    func secret(_ name: String) throws -> String? {
        let direct = values[name].flatMap { $0.isEmpty ? nil : $0 }
        guard let path = values[name + "_FILE"], !path.isEmpty else { return direct }
        guard direct == nil else { throw RuntimeFailure("set \(name) or \(name)_FILE, not both") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuntimeFailure("\(name)_FILE: cannot read \(path)")
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        if text.hasSuffix("\r") { text.removeLast() }
        return text.isEmpty ? nil : text
    }

    /// The secret `name`, or an error saying what it is needed for.
    func requireSecret(_ name: String, purpose: String) throws -> String {
        guard let value = try secret(name) else {
            throw RuntimeFailure("\(name) (or \(name)_FILE) is not set: it is needed \(purpose)")
        }
        return value
    }
}
