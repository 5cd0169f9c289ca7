import Foundation

/// Normalises contact values before they are blind-indexed, so "Ann@Example.org " and
/// "ann@example.org" (or "07700 900123" and "+44 7700 900123") are recognised as the same.
public enum ContactNormaliser {
    public static func email(_ raw: String) -> String {
        raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// Keeps digits only and writes a UK number in its national form (0…).
    public static func phone(_ raw: String) -> String {
        var digits = raw.filter(\.isASCII).filter(\.isNumber)
        if digits.hasPrefix("0044") { digits = "0" + digits.dropFirst(4) }
        else if digits.hasPrefix("44"), raw.contains("+") { digits = "0" + digits.dropFirst(2) }
        return digits
    }
}
