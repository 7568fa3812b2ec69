import Foundation
import Events

/// SPEC §4.7: the overview (`overview_daily`).
extension Oracle {
    package func overviewDaily() -> [Row] {
        struct Key: Hashable { let project: String; let day: LocalDate }
        var totals: [Key: FunnelMeasures] = [:]
        for (key, m) in funnel() {
            let k = Key(project: key.project, day: key.day)
            totals[k] = (totals[k] ?? .init()) + m
        }
        var newUsers: [Key: Int] = [:]
        for (user, first) in model.firstRegistration {
            newUsers[Key(project: user.project, day: day(first.occurredAt, user.project)), default: 0] += 1
        }
        return totals.sorted { ($0.key.project, $0.key.day.description) < ($1.key.project, $1.key.day.description) }
            .map { key, m in
                var row = Self.measureColumns(m)
                row["project"] = key.project
                row["day"] = key.day.description
                row["avg_check"] = Self.ratio(m.revenue, DecimalNumber(m.payments))
                row["new_users"] = String(newUsers[key] ?? 0)
                return row
            }
    }
}
