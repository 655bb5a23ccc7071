/// `flashsale_build_info`: a gauge of 1 whose labels say what was built.
extension BuildInfo {
    /// The Swift compiler that built this binary (major.minor).
    public static let swiftVersion: String = {
        #if compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }()

    /// Writes `flashsale_build_info{version,swift,component} 1`.
    public static func render(into text: inout PrometheusText, component: String) {
        text.family("flashsale_build_info", help: "Build of this process (always 1; the labels carry the facts).", type: "gauge")
        text.sample("flashsale_build_info", [("version", version), ("swift", swiftVersion), ("component", component)], 1)
    }
}
