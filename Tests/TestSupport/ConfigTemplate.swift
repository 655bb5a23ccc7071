import Foundation

/// A config file users copy (deploy/…), rendered for a test: each `@NAME@` placeholder
/// replaced by its value; a placeholder left over is an error.
public enum ConfigTemplate {
    /// The text of `template` with `values` ("NODE1": "127.0.0.1:8080") substituted.
    public static func render(_ template: URL, _ values: [String: String]) throws -> String {
        var text = try String(contentsOf: template, encoding: .utf8)
        for (name, value) in values { text = text.replacingOccurrences(of: "@\(name)@", with: value) }
        if let left = text.range(of: "@[A-Z0-9_]+@", options: .regularExpression) {
            throw ConfigTemplateError(description: "\(template.lastPathComponent): \(text[left]) has no value")
        }
        return text
    }
}

/// A template that does not render, or a server that did not start.
public struct ConfigTemplateError: Error, CustomStringConvertible {
    public let description: String
}
