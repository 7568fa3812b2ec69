import Foundation
import Events

/// SPEC §4.5: mailings (`mail_daily`, `mail_letters`) and the after-click credit of §4.8.
extension Oracle {
    package struct Letter: Hashable, Comparable {
        let project, channel, letterID: String
        package static func < (l: Letter, r: Letter) -> Bool { (l.project, l.channel, l.letterID) < (r.project, r.channel, r.letterID) }
    }

    private func mailEvents() -> [(event: Event, mail: Mail)] {
        resolved.compactMap { e in if case .mail(let m) = e.data { (e, m) } else { nil } }
    }

    /// Per (letter, user): the first `opened` and first `clicked` event instants.
    private func firstMailEvents(_ kind: MailEvent) -> [Letter: [String: Instant]] {
        var result: [Letter: [String: Instant]] = [:]
        for (e, m) in mailEvents() where m.event == kind {
            let letter = Letter(project: e.project, channel: m.channel, letterID: m.letterID)
            if let current = result[letter]?[m.userID], current <= e.occurredAt { continue }
            result[letter, default: [:]][m.userID] = e.occurredAt
        }
        return result
    }

    package func mailDaily() -> [Row] {
        struct Key: Hashable { let letter: Letter; let day: LocalDate }
        var counts: [Key: [MailEvent: Int]] = [:]
        for (e, m) in mailEvents() {
            let key = Key(letter: Letter(project: e.project, channel: m.channel, letterID: m.letterID), day: day(e.occurredAt, e.project))
            counts[key, default: [:]][m.event, default: 0] += 1
        }
        var uniques: [Key: (opens: Int, clicks: Int)] = [:]
        for (letter, users) in firstMailEvents(.opened) {
            for (_, at) in users { uniques[Key(letter: letter, day: day(at, letter.project)), default: (0, 0)].opens += 1 }
        }
        for (letter, users) in firstMailEvents(.clicked) {
            for (_, at) in users { uniques[Key(letter: letter, day: day(at, letter.project)), default: (0, 0)].clicks += 1 }
        }
        return counts.sorted { ($0.key.letter, $0.key.day) < ($1.key.letter, $1.key.day) }.map { key, c in
            var row: Row = [
                "project": key.letter.project, "channel": key.letter.channel, "letter_id": key.letter.letterID,
                "day": key.day.description,
                "unique_opens": String(uniques[key]?.opens ?? 0), "unique_clicks": String(uniques[key]?.clicks ?? 0),
            ]
            for kind in MailEvent.allCases { row[kind.rawValue] = String(c[kind] ?? 0) }
            return row
        }
    }

    /// payment (project, payment_id) → letter credited by the after-click rule of SPEC 4.8.
    package func afterClickCredit() -> [IDKey: Letter] {
        var clicks: [UserKey: [Event]] = [:]
        for (e, m) in mailEvents() where m.event == .clicked {
            clicks[UserKey(project: e.project, user: m.userID), default: []].append(e)
        }
        let week: Int64 = 7 * 24 * 3600 * 1_000_000
        var result: [IDKey: Letter] = [:]
        for (key, payment) in model.payments {
            guard let a = payment.accepted else { continue }
            let candidates = (clicks[UserKey(project: key.project, user: a.user)] ?? []).filter { $0.occurredAt < a.at }
            guard let click = candidates.max(by: Self.before), click.occurredAt.microseconds(to: a.at) <= week,
                  case .mail(let m) = click.data else { continue }
            result[key] = Letter(project: key.project, channel: m.channel, letterID: m.letterID)
        }
        return result
    }

    package func mailLetters() -> [Row] {
        var counts: [Letter: [MailEvent: Int]] = [:]
        for (e, m) in mailEvents() {
            counts[Letter(project: e.project, channel: m.channel, letterID: m.letterID), default: [:]][m.event, default: 0] += 1
        }
        let opens = firstMailEvents(.opened), clicks = firstMailEvents(.clicked)
        var credit: [Letter: (payers: Set<String>, revenue: DecimalNumber)] = [:]
        for (key, letter) in afterClickCredit() {
            let a = model.payments[key]!.accepted!
            credit[letter, default: ([], 0)].payers.insert(a.user)
            credit[letter, default: ([], 0)].revenue += a.amount
        }
        return counts.sorted { $0.key < $1.key }.map { letter, c in
            let n = { (k: MailEvent) in c[k] ?? 0 }
            let uniqueOpens = opens[letter]?.count ?? 0, uniqueClicks = clicks[letter]?.count ?? 0
            var row: Row = [
                "project": letter.project, "channel": letter.channel, "letter_id": letter.letterID,
                "unique_opens": String(uniqueOpens), "unique_clicks": String(uniqueClicks),
                "delivery_rate": Self.ratio(DecimalNumber(n(.delivered)), DecimalNumber(n(.sent))),
                "open_rate": Self.ratio(DecimalNumber(uniqueOpens), DecimalNumber(n(.delivered))),
                "click_rate": Self.ratio(DecimalNumber(uniqueClicks), DecimalNumber(n(.delivered))),
                "unsubscribe_rate": Self.ratio(DecimalNumber(n(.unsubscribed)), DecimalNumber(n(.delivered))),
                "payers_after_click": String(credit[letter]?.payers.count ?? 0),
                "revenue_after_click": Self.num(credit[letter]?.revenue ?? 0),
            ]
            for kind in MailEvent.allCases { row[kind.rawValue] = String(n(kind)) }
            return row
        }
    }
}
