import Events

/// Writes a `Digest` as a Telegram message in the Bot API's HTML parse mode (only `<b>` tags; every
/// outside string escaped), short enough for one message.
public struct DigestRenderer: Sendable {
    /// The parse mode the text is written for.
    public static let parseMode = "HTML"
    /// Names longer than this are cut, so that the message stays far below Telegram's 4,096 characters.
    public static let maximumNameLength = 60

    public init() {}

    public func render(_ digest: Digest) -> String {
        let now = digest.totals
        let before = digest.previousTotals
        let currency = HTML.escape(digest.currency)
        var lines = [
            "<b>\(HTML.escape(digest.project)) · \(digest.day)</b>",
            "compared with \(digest.day.adding(days: -1))",
            "",
            "Revenue: \(ReportFormat.money(now.revenue)) \(currency) \(Self.change(before.revenue, now.revenue))",
            "Payments: \(ReportFormat.count(now.payments)) \(Self.change(DecimalNumber(before.payments), DecimalNumber(now.payments)))",
            "Registrations: \(ReportFormat.count(now.registrations)) \(Self.change(DecimalNumber(before.registrations), DecimalNumber(now.registrations)))",
            "Spend: \(ReportFormat.money(now.spend)) \(currency) \(Self.change(before.spend, now.spend))",
            "ROMI: \(ReportFormat.percent(now.romi))" + Self.pointsChange(before.romi, now.romi),
        ]
        let best = digest.bestCampaigns
        let worst = digest.worstCampaigns
        lines += ["", "<b>Best campaigns</b> (profit = revenue − refunds − spend)"]
        lines += best.isEmpty ? ["none made a profit"] : best.map(Self.campaignLine)
        lines += ["", "<b>Worst campaigns</b>"]
        lines += worst.isEmpty ? ["none lost money"] : worst.map(Self.campaignLine)
        lines += ["", "<b>Sales team</b>"]
        let managers = digest.managersByRevenue
        lines += managers.isEmpty ? ["no orders or payments"] : managers.prefix(Digest.managersListed).map(Self.managerLine)
        if managers.count > Digest.managersListed {
            lines.append("and \(managers.count - Digest.managersListed) more")
        }
        // Exactly what the views give: the day's rows of learning_daily, and the all-time rows of
        // webinar_conversion for the webinars attended that day (their 7 days have only begun: buyers so far).
        lines += ["", "<b>Learning</b>",
                  "Lessons completed: \(ReportFormat.count(digest.lessonCompletions)) (students' first completions of a lesson that day)"]
        if digest.webinars.isEmpty {
            lines.append("Webinars attended: none")
        } else {
            lines.append("Webinars with attendance that day (all their attendees; buyers: paid within 7 days after attending, so far):")
            let listed = digest.webinars.sorted { ($1.attendees, $0.courseID, $0.lessonID) < ($0.attendees, $1.courseID, $1.lessonID) }
            for webinar in listed.prefix(Digest.webinarsListed) {
                lines.append("• \(Self.shortName(webinar.courseID + " / " + webinar.lessonID)): attendees "
                    + "\(ReportFormat.count(webinar.attendees)), buyers \(ReportFormat.count(webinar.buyers)), "
                    + "revenue \(ReportFormat.money(webinar.revenue)) \(currency)")
            }
            if listed.count > Digest.webinarsListed {
                lines.append("and \(listed.count - Digest.webinarsListed) more")
            }
        }
        let asOf = digest.creativesAsOf.map { " (7 days to \($0))" } ?? ""
        lines += ["", "<b>Creatives burning out</b>\(asOf)"]
        if digest.burning.isEmpty {
            lines.append("none")
        } else {
            let listed = digest.burning.sorted { ($0.profitLast7Days, $0.name) < ($1.profitLast7Days, $1.name) }
            for creative in listed.prefix(Digest.creativesListed) {
                let name = digest.names.label(network: creative.network, campaignID: creative.campaignID, adID: creative.adID)
                lines.append("• \(Self.shortName(name)): \(creative.status.label), profit last 7 days "
                    + ReportFormat.signedMoney(creative.profitLast7Days))
            }
            if listed.count > Digest.creativesListed {
                lines.append("and \(listed.count - Digest.creativesListed) more")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func campaignLine(_ campaign: CampaignDay) -> String {
        "• \(shortName(campaign.name)): \(ReportFormat.signedMoney(campaign.totals.profit)), ROMI \(ReportFormat.percent(campaign.totals.romi))"
    }

    static func managerLine(_ manager: ManagerRow) -> String {
        "• \(shortName(manager.label)): orders \(ReportFormat.count(manager.orders)), paid \(ReportFormat.count(manager.paidOrders)), "
            + "revenue \(ReportFormat.money(manager.revenue))"
    }

    /// `(+300.0 %)`, or `(was 0)` when there is nothing to compare with.
    static func change(_ before: DecimalNumber, _ now: DecimalNumber) -> String {
        guard let change = ReportFormat.change(from: before, to: now) else {
            return now.isZero ? "(=)" : "(was 0)"
        }
        return "(\(ReportFormat.signedPercent(change)))"
    }

    static func pointsChange(_ before: Ratio?, _ now: Ratio?) -> String {
        guard let before, let now else { return "" }
        return " (\(ReportFormat.signedPoints(now - before)))"
    }

    /// Escaped, and cut with an ellipsis past `maximumNameLength` characters.
    static func shortName(_ name: String) -> String {
        HTML.escape(name.count > maximumNameLength ? String(name.prefix(maximumNameLength - 1)) + "…" : name)
    }
}
