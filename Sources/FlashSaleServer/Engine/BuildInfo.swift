/// What this build is: printed by `flashsale --version`, exported as
/// `flashsale_build_info`.
public enum BuildInfo {
    /// The release version.
    public static let version = "0.3.0"
}
