import Foundation
import Events

/// SPEC §4.3: cohorts (`cohorts_monthly`).
extension Oracle {
    package struct UserMoney { var payments = 0; var revenue: DecimalNumber = 0; var refunds: DecimalNumber = 0 }
    package struct UserMonth: Hashable { let project: String; let user: String; let month: LocalDate }

    /// Money per (project, user, month): accepted payments by the accepting user, refunds by the refunding one.
    package func userMonthly() -> [UserMonth: UserMoney] {
        var result: [UserMonth: UserMoney] = [:]
        for (_, payment) in model.payments {
            if let a = payment.accepted {
                let key = UserMonth(project: payment.project, user: a.user, month: a.day.monthStart)
                result[key, default: .init()].payments += 1
                result[key, default: .init()].revenue += a.amount
            }
            if let r = payment.refund {
                result[UserMonth(project: payment.project, user: r.user, month: r.day.monthStart), default: .init()].refunds += r.amount
            }
        }
        return result
    }

    package func cohortsMonthly() -> [Row] {
        let money = userMonthly()
        var rows: [Row] = []
        for project in model.projects.sorted() {
            guard let lastMonth = model.latestMonth[project] else { continue }
            var cohorts: [LocalDate?: [String]] = [:]
            for user in model.users[project] ?? [] {
                cohorts[cohortMonth(project: project, user: user), default: []].append(user)
            }
            let orderedCohorts = cohorts.keys.sorted { l, r in
                switch (l, r) { case (nil, _): false; case (_, nil): true; case let (l?, r?): l < r }
            }
            for cohort in orderedCohorts {
                let members = Set(cohorts[cohort]!)
                // Money of the cohort per month (only months from the cohort month on).
                var perMonth: [LocalDate: (payers: Int, payments: Int, revenue: DecimalNumber, refunds: DecimalNumber)] = [:]
                for (key, m) in money where key.project == project && members.contains(key.user) {
                    if let cohort, key.month < cohort { continue }
                    var v = perMonth[key.month] ?? (0, 0, 0, 0)
                    if m.payments > 0 { v.payers += 1 }
                    v.payments += m.payments
                    v.revenue += m.revenue
                    v.refunds += m.refunds
                    perMonth[key.month] = v
                }
                guard var month = cohort ?? perMonth.keys.min() else { continue }
                var cumulative: DecimalNumber = 0
                while month <= lastMonth {
                    let v = perMonth[month] ?? (0, 0, 0, 0)
                    cumulative += v.revenue - v.refunds
                    var monthsSince: String?
                    if let cohort { monthsSince = String((month.year - cohort.year) * 12 + month.month - cohort.month) }
                    rows.append([
                        "project": project, "cohort_month": cohort?.description, "month": month.description,
                        "months_since": monthsSince, "cohort_users": String(members.count),
                        "payers": String(v.payers), "payments": String(v.payments),
                        "revenue": Self.num(v.revenue), "refunds": Self.num(v.refunds),
                        "cumulative_revenue": Self.num(cumulative),
                        "ltv": Self.ratio(cumulative, DecimalNumber(members.count)),
                    ])
                    month = month.month == 12 ? LocalDate(year: month.year + 1, month: 1, day: 1)!
                                              : LocalDate(year: month.year, month: month.month + 1, day: 1)!
                }
            }
        }
        return rows
    }
}
