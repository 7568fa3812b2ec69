import Events
import Foundation

/// Reads an order's tag list as one text (a callback parameter, an export cell) into SPEC §2's `tags`.
///
/// GetCourse has no documented template variable for deal tags (INPUTS.md §15), and its exports write a list cell as
/// its items joined by ", " (the Export API's arrays are joined the same way by `GetCourseExportClient`), so the text
/// is split at commas: each item is trimmed, empty items are dropped, and order and duplicates are kept as given
/// (the BI views count an order once per distinct tag, so a duplicate changes nothing). A tag cannot contain a comma.
enum OrderTags {
    /// The tags, or nil when the text holds none.
    /// - Throws: under `field`, for more than `Order.maximumTags` tags or a tag over `Order.maximumTagLength`
    ///   characters, the limits the consumers' validation would otherwise refuse under a field the sender never sent.
    static func parse(_ text: String?, field: String) throws(NormalizationError) -> [String]? {
        guard let text else { return nil }
        let tags = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
        guard !tags.isEmpty else { return nil }
        guard tags.count <= Order.maximumTags else {
            throw NormalizationError(field: field, problem: "must have at most \(Order.maximumTags) tags, got \(tags.count)")
        }
        for (index, tag) in tags.enumerated() {
            let length = tag.unicodeScalars.count
            guard length <= Order.maximumTagLength else {
                throw NormalizationError(field: field, problem: "tag \(index + 1) must be at most \(Order.maximumTagLength) characters, got \(length): \(quoted(tag))")
            }
        }
        return tags
    }
}
