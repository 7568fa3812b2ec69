/// What happened to a letter; the raw values name the columns of `bi.mail_daily`.
public enum MailEvent: String, Sendable, Hashable, CaseIterable {
    case sent
    case delivered
    case opened
    case clicked
    case unsubscribed
    case bounced
    case spam
}
