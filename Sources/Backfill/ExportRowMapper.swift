import Events

/// Turns one export row into the events it implies; the backfill runner imports any table through one.
public protocol ExportRowMapper: Sendable {
    /// - Throws: `BackfillError.row` naming the column (as the export titles it) and the problem.
    func events(cells: [String]) throws(BackfillError) -> [Event]
}

extension GetCourseRowMapper: ExportRowMapper {}
