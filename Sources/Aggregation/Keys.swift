import Events

/// A user of a project.
public struct UserKey: Sendable, Hashable, Comparable {
    public var project: String
    public var userID: String

    public init(project: String, userID: String) {
        self.project = project
        self.userID = userID
    }

    public static func < (lhs: UserKey, rhs: UserKey) -> Bool {
        codePointLess((lhs.project, lhs.userID), (rhs.project, rhs.userID))
    }
}

/// An entity identified by its source id within a project (an order, a payment).
public struct EntityKey: Sendable, Hashable, Comparable {
    public var project: String
    public var id: String

    public init(project: String, id: String) {
        self.project = project
        self.id = id
    }

    public static func < (lhs: EntityKey, rhs: EntityKey) -> Bool {
        codePointLess((lhs.project, lhs.id), (rhs.project, rhs.id))
    }
}

/// A row of `user_daily`.
public struct UserDayKey: Sendable, Hashable {
    public var user: UserKey
    public var day: LocalDate

    public init(user: UserKey, day: LocalDate) {
        self.user = user
        self.day = day
    }
}

/// A row of `user_monthly`: `month` is the first day of the month.
public struct UserMonthKey: Sendable, Hashable {
    public var user: UserKey
    public var month: LocalDate

    public init(user: UserKey, month: LocalDate) {
        self.user = user
        self.month = month
    }
}

/// A row of `funnel_daily`.
public struct FunnelKey: Sendable, Hashable {
    public var project: String
    public var day: LocalDate
    public var attribution: Attribution

    public init(project: String, day: LocalDate, attribution: Attribution) {
        self.project = project
        self.day = day
        self.attribution = attribution
    }
}

/// A project's day (`new_users_daily`).
public struct ProjectDayKey: Sendable, Hashable {
    public var project: String
    public var day: LocalDate

    public init(project: String, day: LocalDate) {
        self.project = project
        self.day = day
    }
}

/// The key of one network statistics row: one ad of one account on one day.
public struct AdStatsKey: Sendable, Hashable {
    public var project: String
    public var network: String
    public var accountID: String
    public var campaignID: String
    public var adID: String
    public var day: LocalDate

    public init(project: String, network: String, accountID: String, campaignID: String, adID: String, day: LocalDate) {
        self.project = project
        self.network = network
        self.accountID = accountID
        self.campaignID = campaignID
        self.adID = adID
        self.day = day
    }
}

/// A letter (channel and letter id) of a project.
public struct LetterKey: Sendable, Hashable {
    public var project: String
    public var channel: String
    public var letterID: String

    public init(project: String, channel: String, letterID: String) {
        self.project = project
        self.channel = channel
        self.letterID = letterID
    }
}

/// One letter's row of one day in `mail_daily`.
public struct LetterDayKey: Sendable, Hashable {
    public var letter: LetterKey
    public var day: LocalDate
}

/// One user of one letter in `mail_recipients`.
public struct RecipientKey: Sendable, Hashable {
    public var letter: LetterKey
    public var userID: String
}

/// One chat's day.
public struct ChatDayKey: Sendable, Hashable {
    public var project: String
    public var chatID: String
    public var day: LocalDate
}

/// A user who wrote in a chat on a day.
public struct ChatMemberKey: Sendable, Hashable {
    public var chatDay: ChatDayKey
    public var userID: String
}

/// Orders strings as PostgreSQL's `COLLATE "C"` does: by code point (UTF-8 bytes), not by
/// Swift's Unicode-aware ordering, so ties resolve the same in the worker and in SQL.
public func codePointLess(_ lhs: String, _ rhs: String) -> Bool {
    // UTF-8 byte order is code point order; compared over the contiguous bytes, since the
    // generic `lexicographicallyPrecedes` on the UTF-8 views showed in the worker's profile.
    if let result = lhs.utf8.withContiguousStorageIfAvailable({ l in
        rhs.utf8.withContiguousStorageIfAvailable { r -> Bool in
            let common = min(l.count, r.count)
            var index = 0
            while index < common {
                if l[index] != r[index] { return l[index] < r[index] }
                index += 1
            }
            return l.count < r.count
        }
    }), let result { return result }
    return lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
}

func codePointLess(_ lhs: (String, String), _ rhs: (String, String)) -> Bool {
    lhs.0 == rhs.0 ? codePointLess(lhs.1, rhs.1) : codePointLess(lhs.0, rhs.0)
}

/// An event's position in time, with SPEC's tie break: equal instants order by id, by code point.
public struct EventStamp: Sendable, Hashable, Comparable {
    public var at: Instant
    public var id: String

    public init(at: Instant, id: String) {
        self.at = at
        self.id = id
    }

    public static func < (lhs: EventStamp, rhs: EventStamp) -> Bool {
        lhs.at == rhs.at ? codePointLess(lhs.id, rhs.id) : lhs.at < rhs.at
    }
}

/// An alias of `alias.userID` (a Telegram member, a messenger recipient) within a project.
public struct AliasLink: Sendable, Hashable {
    /// The user the alias is one person with.
    public var userID: String
    /// The identity event; the earliest decides which user an alias linked twice follows.
    public var stamp: EventStamp

    public init(userID: String, stamp: EventStamp) {
        self.userID = userID
        self.stamp = stamp
    }

    /// SPEC §4.12: the earlier link (occurred_at, ties the smaller id), as for first registrations.
    func earliest(_ other: AliasLink?) -> AliasLink {
        guard let other, other.stamp < stamp else { return self }
        return other
    }
}

/// A user's learning events of one kind for one lesson (`lessonID` '' when the event has none).
public struct LearningKey: Sendable, Hashable {
    public var user: UserKey
    public var courseID: String
    public var lessonID: String
    public var kind: LearningKind

    public init(user: UserKey, courseID: String, lessonID: String, kind: LearningKind) {
        self.user = user
        self.courseID = courseID
        self.lessonID = lessonID
        self.kind = kind
    }
}

/// The first of a user's learning events of one kind for one lesson, and its local day.
public struct FirstLearning: Sendable, Hashable {
    public var stamp: EventStamp
    public var day: LocalDate

    public init(stamp: EventStamp, day: LocalDate) {
        self.stamp = stamp
        self.day = day
    }

    /// The earlier of two first events (occurred_at, ties the smaller id).
    func earliest(_ other: FirstLearning?) -> FirstLearning {
        guard let other, other.stamp < stamp else { return self }
        return other
    }
}

/// A month an id was active in (SPEC §4.14) through a chat message, a mail open or click
/// (`contact`: the id resolves through its alias link) or a learning event (never resolved).
public struct ActivityMonthKey: Sendable, Hashable {
    public var user: UserKey
    public var month: LocalDate
    public var contact: Bool

    public init(user: UserKey, month: LocalDate, contact: Bool) {
        self.user = user
        self.month = month
        self.contact = contact
    }
}
