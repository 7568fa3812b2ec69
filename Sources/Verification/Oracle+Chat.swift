import Foundation
import Events

/// SPEC §4.6: community (`chat_daily`, `community_conversion`).
extension Oracle {
    package func chatDaily() -> [Row] {
        struct Key: Hashable { let project, chat: String; let day: LocalDate }
        var acc: [Key: (messages: Int, members: Set<String>, joins: Int, leaves: Int)] = [:]
        for e in resolved {
            guard case .chat(let c) = e.data else { continue }
            let key = Key(project: e.project, chat: c.chatID, day: day(e.occurredAt, e.project))
            var v = acc[key] ?? (0, [], 0, 0)
            switch c.kind {
            case .message: v.messages += 1; v.members.insert(c.userID)
            case .join: v.joins += 1
            case .leave: v.leaves += 1
            }
            acc[key] = v
        }
        return acc.sorted { ($0.key.project, $0.key.chat, $0.key.day.description) < ($1.key.project, $1.key.chat, $1.key.day.description) }
            .map { key, v in
                [
                    "project": key.project, "chat_id": key.chat, "day": key.day.description,
                    "messages": String(v.messages), "active_members": String(v.members.count),
                    "joins": String(v.joins), "leaves": String(v.leaves),
                ]
            }
    }

    package func communityConversion() -> [Row] {
        var moneyByUser: [UserKey: (payments: Int, revenue: DecimalNumber)] = [:]
        for (_, payment) in model.payments {
            guard let a = payment.accepted else { continue }
            moneyByUser[UserKey(project: payment.project, user: a.user), default: (0, 0)].payments += 1
            moneyByUser[UserKey(project: payment.project, user: a.user), default: (0, 0)].revenue += a.amount
        }
        struct Key: Hashable { let project: String; let cohort: LocalDate?; let active: Bool }
        var acc: [Key: (users: Int, payers: Int, revenue: DecimalNumber)] = [:]
        for (project, users) in model.users {
            for user in users {
                let uk = UserKey(project: project, user: user)
                let key = Key(project: project, cohort: cohortMonth(project: project, user: user), active: model.chatActive.contains(uk))
                var v = acc[key] ?? (0, 0, 0)
                v.users += 1
                if let m = moneyByUser[uk] {
                    if m.payments > 0 { v.payers += 1 }
                    v.revenue += m.revenue
                }
                acc[key] = v
            }
        }
        return acc.sorted { ($0.key.project, $0.key.cohort?.description ?? "~", $0.key.active ? 1 : 0) < ($1.key.project, $1.key.cohort?.description ?? "~", $1.key.active ? 1 : 0) }
            .map { key, v in
                [
                    "project": key.project, "cohort_month": key.cohort?.description, "chat_active": key.active ? "true" : "false",
                    "users": String(v.users), "payers": String(v.payers), "revenue": Self.num(v.revenue),
                ]
            }
    }
}
