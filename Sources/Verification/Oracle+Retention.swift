import Events

/// SPEC §4.14: retention (`retention_monthly`) and repeat purchases (`repeat_purchases`), over §4.3's
/// cohorts and §4.8's users after §4.12's resolution.
extension Oracle {
    /// The month after `month` (a month start).
    static func nextMonth(_ month: LocalDate) -> LocalDate {
        month.month == 12 ? LocalDate(year: month.year + 1, month: 1, day: 1)! : LocalDate(year: month.year, month: month.month + 1, day: 1)!
    }

    /// Per (project, user): the months in which the user had an activity of §4.14: a chat `message`,
    /// a mail `opened` or `clicked` (both by the resolved user), any learning event, an order created
    /// (its current user, the month of its current `created_at`), a payment's first accepted instant
    /// (the user of that event).
    package func activeMonths() -> [UserKey: Set<LocalDate>] {
        var result: [UserKey: Set<LocalDate>] = [:]
        func add(_ project: String, _ user: String, _ day: LocalDate) {
            result[UserKey(project: project, user: user), default: []].insert(day.monthStart)
        }
        for e in resolved {
            switch e.data {
            case .chat(let c) where c.kind == .message: add(e.project, c.userID, day(e.occurredAt, e.project))
            case .mail(let m) where m.event == .opened || m.event == .clicked: add(e.project, m.userID, day(e.occurredAt, e.project))
            case .learning(let l): add(e.project, l.userID, day(e.occurredAt, e.project))
            default: break
            }
        }
        for (_, order) in model.orders { add(order.project, order.user, order.createdDay) }
        for (_, payment) in model.payments {
            if let a = payment.accepted { add(payment.project, a.user, a.day) }
        }
        return result
    }

    package func retentionMonthly() -> [Row] {
        let active = activeMonths()
        var rows: [Row] = []
        for project in model.projects.sorted() {
            guard let lastMonth = model.latestMonth[project] else { continue }
            var cohorts: [LocalDate: [String]] = [:]
            for user in model.users[project] ?? [] {
                // The NULL cohort has no retention row (SPEC: "every non-NULL cohort").
                if let cohort = cohortMonth(project: project, user: user) { cohorts[cohort, default: []].append(user) }
            }
            for (cohort, members) in cohorts.sorted(by: { $0.key < $1.key }) {
                var month = cohort
                var previous: Set<String>? = nil  // nil in the cohort month: nobody churns then
                while month <= lastMonth {
                    let current = Set(members.filter { active[UserKey(project: project, user: $0)]?.contains(month) ?? false })
                    let churned = previous.map { $0.subtracting(current).count } ?? 0
                    rows.append([
                        "project": project, "cohort_month": cohort.description, "month": month.description,
                        "cohort_users": String(members.count), "active_users": String(current.count),
                        "retention": Self.ratio(DecimalNumber(current.count), DecimalNumber(members.count)),
                        "churned": String(churned),
                    ])
                    previous = current
                    month = Self.nextMonth(month)
                }
            }
        }
        return rows
    }

    package func repeatPurchases() -> [Row] {
        var orders: [UserKey: Set<String>] = [:]  // the orders of the user's accepted payments
        for (_, payment) in model.payments {
            // A payment counts under the order of its first accepted event (SPEC §4.15).
            guard let a = payment.accepted else { continue }
            orders[UserKey(project: payment.project, user: a.user), default: []].insert(a.orderID)
        }
        var rows: [Row] = []
        for project in model.projects.sorted() {
            var cohorts: [LocalDate?: (users: Int, payers: Int, repeaters: Int)] = [:]
            for user in model.users[project] ?? [] {
                let paidOrders = orders[UserKey(project: project, user: user)]?.count ?? 0
                var v = cohorts[cohortMonth(project: project, user: user)] ?? (0, 0, 0)
                v.users += 1
                if paidOrders >= 1 { v.payers += 1 }
                if paidOrders >= 2 { v.repeaters += 1 }
                cohorts[cohortMonth(project: project, user: user)] = v
            }
            for (cohort, v) in cohorts.sorted(by: { ($0.key?.description ?? "~") < ($1.key?.description ?? "~") }) {
                rows.append([
                    "project": project, "cohort_month": cohort?.description, "payers": String(v.payers),
                    "repeat_payers": String(v.repeaters),
                    "repeat_rate": Self.ratio(DecimalNumber(v.repeaters), DecimalNumber(v.payers)),
                ])
            }
        }
        return rows
    }
}
