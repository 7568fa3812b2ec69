import Aggregation
import Events
import Postgres

/// Writes one batch's changes: one statement per table. Only the lease owner writes, so rows go
/// in whatever order the batch holds them (sorting them for a common lock order cost a sixth of
/// the worker's CPU when several workers wrote at once).
struct ChangeWriter {
    /// The schema of the state tables (`pipeline`, or a rebuild's schema).
    let schema: String

    /// Each statement is built while the server executes the one before (`overlapping`).
    ///
    /// `newContacts` and `newlyChatActive` are the batch's chat and mail ids not known to have a
    /// row, or to be chat-active (`BatchApplier.prepare`).
    func write(
        _ changes: BatchChanges, loaded: BatchState, newContacts: [UserKey], newlyChatActive: [UserKey],
        in connection: PostgresConnection
    ) throws {
        try connection.overlapping { statements in
            try writeUsers(changes, loaded: loaded, statements)
            try writeContacts(newContacts, chatActive: changes.chatActiveContacts, newlyChatActive: newlyChatActive,
                              statements)
            try writeOrders(changes, loaded: loaded, statements)
            try writePayments(changes, loaded: loaded, statements)
            try writeAdStats(changes, statements)
            try writeWorkerState(changes, statements)
            try writeUserMonthly(changes, statements)
            try writeFunnel(changes, statements)
            try writeProjectFigures(changes, statements)
            try writeMail(changes, statements)
            try writeChat(changes, statements)
            try writeRegistrations(changes, statements)
            try writeNames(changes, statements)
            try writeEngagement(changes, statements)
        }
    }

    /// Appends to `users_log` the users the owner did not hold (it holds every logged user) and
    /// those whose first registration moved earlier, with their state: BI and a new owner take each
    /// user's earliest logged first registration.
    private func writeUsers(_ changes: BatchChanges, loaded: BatchState, _ connection: OverlappedStatements) throws {
        var logged = changes.users.map { (key: $0.key, value: $0.value) }
        for user in changes.usersSeen where loaded.users[user] == nil && changes.users[user] == nil {
            logged.append((key: user, value: UserState()))
        }
        try appendToLog("users_log", logged, project: \.key.project, columns: [
            ("user_ids", "text", { $0.map(\.key.userID) }),
            ("first_reg_at", "timestamptz", { $0.map { $0.value.firstRegistration?.stamp.at.rfc3339String } }),
            ("first_reg_ids", "text", { $0.map { $0.value.firstRegistration?.stamp.id } }),
            ("first_reg_day", "date", { $0.map { $0.value.firstRegistration?.day.description } }),
            ("networks", "text", { $0.map(\.value.attribution.network) }),
            ("campaign_ids", "text", { $0.map(\.value.attribution.campaignID) }),
            ("ad_ids", "text", { $0.map(\.value.attribution.adID) }),
        ], connection)
    }

    /// Ids of chat and mail events, appended to `contacts_log` as one row of arrays: the ids not
    /// known to be there (with their flag) and those newly chat-active (`true`). BI groups them per
    /// id (`bool_or`), so an id appended twice changes nothing. Ids the owner knows to be logged
    /// (or to be active) are left out by the caller.
    private func writeContacts(
        _ missing: [UserKey], chatActive: Set<UserKey>, newlyChatActive active: [UserKey], _ connection: OverlappedStatements
    ) throws {
        let missingIDs = Set(missing)
        let entries = missing.map { (id: $0, active: chatActive.contains($0)) }
            + active.filter { !missingIDs.contains($0) }.map { (id: $0, active: true) }
        try appendToLog("contacts_log", entries, project: \.id.project, columns: [
            ("user_ids", "text", { $0.map(\.id.userID) }), ("chat_active", "boolean", { $0.map(\.active) }),
        ], connection)
    }

    /// Appends `elements` to a log (migrations 0013 and 0014) as one row per project: its `project` and,
    /// per column, the array of the project's elements' values (name, element type, values).
    private func appendToLog<Element>(
        _ table: String, _ elements: [Element], project: (Element) -> String,
        columns: [(name: String, type: String, values: ([Element]) -> any PostgresEncodable)],
        _ connection: OverlappedStatements
    ) throws {
        guard !elements.isEmpty else { return }
        var rows: [String] = []
        var parameters: [any PostgresEncodable] = []
        for (project, group) in Dictionary(grouping: elements, by: project) {
            parameters.append(project)
            var placeholders = ["$\(parameters.count)"]
            for column in columns {
                parameters.append(column.values(group))
                placeholders.append("$\(parameters.count)::\(column.type)[]")
            }
            rows.append("(" + placeholders.joined(separator: ", ") + ")")
        }
        try connection.execute(
            "INSERT INTO \(schema).\(table) (project, \(columns.map(\.name).joined(separator: ", "))) VALUES "
                + rows.joined(separator: ", "), parameters)
    }

    /// SPEC §4.12–4.14's inputs: each alias keeps its earliest link and each (user, lesson, kind)
    /// its first event, compared with the stored one under the row lock, so the earliest wins in
    /// any arrival order and whichever worker applies it; activity months are a set.
    private func writeEngagement(_ changes: BatchChanges, _ connection: OverlappedStatements) throws {
        let links = Array(changes.aliasLinks)
        if !links.isEmpty {
            try connection.execute("""
                INSERT INTO \(schema).aliases AS a (project, alias, user_id, linked_at, event_id)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[])
                ON CONFLICT (project, alias) DO UPDATE SET
                    user_id = EXCLUDED.user_id, linked_at = EXCLUDED.linked_at, event_id = EXCLUDED.event_id
                WHERE (EXCLUDED.linked_at, EXCLUDED.event_id) < (a.linked_at, a.event_id)
                """, [
                    links.map(\.key.project), links.map(\.key.userID), links.map(\.value.userID),
                    links.map(\.value.stamp.at.rfc3339String), links.map(\.value.stamp.id),
                ])
        }
        let firsts = Array(changes.learningFirsts)
        if !firsts.isEmpty {
            try connection.execute("""
                INSERT INTO \(schema).learning_firsts AS f (project, user_id, course_id, lesson_id, kind, first_at,
                                                            first_id, first_day)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
                                     $7::text[], $8::date[])
                ON CONFLICT (project, course_id, lesson_id, kind, user_id) DO UPDATE SET
                    first_at = EXCLUDED.first_at, first_id = EXCLUDED.first_id, first_day = EXCLUDED.first_day
                WHERE (EXCLUDED.first_at, EXCLUDED.first_id) < (f.first_at, f.first_id)
                """, [
                    firsts.map(\.key.user.project), firsts.map(\.key.user.userID), firsts.map(\.key.courseID),
                    firsts.map(\.key.lessonID), firsts.map(\.key.kind.rawValue),
                    firsts.map(\.value.stamp.at.rfc3339String), firsts.map(\.value.stamp.id),
                    firsts.map(\.value.day.description),
                ])
        }
        // A set where BI reads (`user_activity` takes the distinct months).
        try appendToLog("activity_months_log", Array(changes.activityMonths), project: \.user.project, columns: [
            ("user_ids", "text", { $0.map(\.user.userID) }), ("months", "date", { $0.map(\.month.description) }),
            ("contact", "boolean", { $0.map(\.contact) }),
        ], connection)
    }

    /// Orders the batch's state did not hold are new rows (the owner holds every order with one):
    /// inserted without `ON CONFLICT`, whose probe before each insert cost a third of the
    /// statement; stored ones are upserted.
    private func writeOrders(_ changes: BatchChanges, loaded: BatchState, _ connection: OverlappedStatements) throws {
        let columns = """
            (project, order_id, user_id, status, amount, currency, product, manager_id, created_at, created_day,
             last_event_at, last_event_id, paid_day, offer, tags, deal_network, deal_campaign_id, deal_ad_id)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::numeric[], $6::text[],
                                 $7::text[], $8::text[], $9::timestamptz[], $10::date[], $11::timestamptz[],
                                 $12::text[], $13::date[], $14::text[], $15::jsonb[], $16::text[], $17::text[],
                                 $18::text[])
            """
        try writeEntities(
            changes.orders, isStored: { loaded.orders[$0] != nil }, table: "orders", columns: columns,
            upsert: """
                ON CONFLICT (project, order_id) DO UPDATE SET
                    user_id = EXCLUDED.user_id, status = EXCLUDED.status, amount = EXCLUDED.amount,
                    currency = EXCLUDED.currency, product = EXCLUDED.product, manager_id = EXCLUDED.manager_id,
                    created_at = EXCLUDED.created_at, created_day = EXCLUDED.created_day,
                    last_event_at = EXCLUDED.last_event_at, last_event_id = EXCLUDED.last_event_id,
                    paid_day = EXCLUDED.paid_day, offer = EXCLUDED.offer, tags = EXCLUDED.tags,
                    deal_network = EXCLUDED.deal_network, deal_campaign_id = EXCLUDED.deal_campaign_id,
                    deal_ad_id = EXCLUDED.deal_ad_id
                """, encode: Self.orderColumns, connection)
    }

    /// Inserts the entities of `changes` that are not stored (plain INSERT: they have no row) and
    /// upserts the stored ones, in `table` of this schema, `columns` being its column list and the
    /// SELECT over unnest of `encode`'s parameters.
    private func writeEntities<State>(
        _ changes: [EntityKey: State], isStored: (EntityKey) -> Bool, table: String, columns: String, upsert: String,
        encode: ([(key: EntityKey, value: State)]) -> [any PostgresEncodable], _ connection: OverlappedStatements
    ) throws {
        var new: [(key: EntityKey, value: State)] = []
        var stored: [(key: EntityKey, value: State)] = []
        for change in changes {
            if isStored(change.key) { stored.append(change) } else { new.append(change) }
        }
        if !new.isEmpty {
            try connection.execute("INSERT INTO \(schema).\(table) \(columns)", encode(new))
        }
        if !stored.isEmpty {
            try connection.execute("INSERT INTO \(schema).\(table) AS t \(columns)\n\(upsert)", encode(stored))
        }
    }

    /// The eighteen columns of `orders`, as array parameters.
    private static func orderColumns(_ orders: [(key: EntityKey, value: OrderState)]) -> [any PostgresEncodable] {
        let deals = orders.map(\.value.dealAttribution)
        return [
            orders.map(\.key.project), orders.map(\.key.id), orders.map(\.value.userID),
            orders.map(\.value.status.rawValue), orders.map(\.value.amount.description),
            orders.map(\.value.currency), orders.map(\.value.product), orders.map(\.value.managerID),
            orders.map(\.value.createdAt.rfc3339String), orders.map(\.value.createdDay.description),
            orders.map(\.value.latest.at.rfc3339String), orders.map(\.value.latest.id),
            orders.map { $0.value.paidDay?.description }, orders.map(\.value.offer),
            orders.map { $0.value.tags.map(OrderTags.json) }, deals.map { $0?.network }, deals.map { $0?.campaignID },
            deals.map { $0?.adID },
        ]
    }

    /// As `writeOrders`: new payments inserted, stored ones upserted.
    private func writePayments(_ changes: BatchChanges, loaded: BatchState, _ connection: OverlappedStatements) throws {
        let columns = """
            (project, payment_id, accepted_at, accepted_id, accepted_user, accepted_order, accepted_amount,
             accepted_day, latest_at, latest_id, latest_status, latest_user, latest_amount, latest_day, latest_order)
            SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[],
                                 $7::numeric[], $8::date[], $9::timestamptz[], $10::text[], $11::text[], $12::text[],
                                 $13::numeric[], $14::date[], $15::text[])
            """
        try writeEntities(
            changes.payments, isStored: { loaded.payments[$0] != nil }, table: "payments", columns: columns,
            upsert: """
                ON CONFLICT (project, payment_id) DO UPDATE SET
                    accepted_at = EXCLUDED.accepted_at, accepted_id = EXCLUDED.accepted_id,
                    accepted_user = EXCLUDED.accepted_user, accepted_order = EXCLUDED.accepted_order,
                    accepted_amount = EXCLUDED.accepted_amount, accepted_day = EXCLUDED.accepted_day,
                    latest_at = EXCLUDED.latest_at, latest_id = EXCLUDED.latest_id,
                    latest_status = EXCLUDED.latest_status, latest_user = EXCLUDED.latest_user,
                    latest_amount = EXCLUDED.latest_amount, latest_day = EXCLUDED.latest_day,
                    latest_order = EXCLUDED.latest_order
                """, encode: Self.paymentColumns, connection)
    }

    /// The fifteen columns of `payments`, as array parameters.
    private static func paymentColumns(_ payments: [(key: EntityKey, value: PaymentState)]) -> [any PostgresEncodable] {
        let accepted = payments.map(\.value.firstAccepted)
        let latest = payments.map(\.value.latest)
        return [
            payments.map(\.key.project), payments.map(\.key.id),
            accepted.map { $0?.stamp.at.rfc3339String }, accepted.map { $0?.stamp.id }, accepted.map { $0?.userID },
            accepted.map { $0?.orderID }, accepted.map { $0?.amount.description }, accepted.map { $0?.day.description },
            latest.map(\.stamp.at.rfc3339String), latest.map(\.stamp.id), latest.map(\.status.rawValue),
            latest.map(\.userID), latest.map(\.amount.description), latest.map(\.day.description), latest.map(\.orderID),
        ]
    }

    private func writeAdStats(_ changes: BatchChanges, _ connection: OverlappedStatements) throws {
        let polls = Array(changes.adStats)
        guard !polls.isEmpty else { return }
        try connection.execute("""
            INSERT INTO \(schema).ad_stats AS s (project, network, account_id, campaign_id, ad_id, day, polled_at,
                                                event_id, impressions, clicks, spend)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[],
                                 $7::timestamptz[], $8::text[], $9::bigint[], $10::bigint[], $11::numeric[])
            ON CONFLICT (project, network, account_id, campaign_id, ad_id, day) DO UPDATE SET
                polled_at = EXCLUDED.polled_at, event_id = EXCLUDED.event_id, impressions = EXCLUDED.impressions,
                clicks = EXCLUDED.clicks, spend = EXCLUDED.spend
            """, [
                polls.map(\.key.project), polls.map(\.key.network), polls.map(\.key.accountID),
                polls.map(\.key.campaignID), polls.map(\.key.adID), polls.map(\.key.day.description),
                polls.map(\.value.stamp.at.rfc3339String), polls.map(\.value.stamp.id),
                polls.map(\.value.impressions), polls.map(\.value.clicks), polls.map(\.value.spend.description),
            ])
    }

    /// The ledger deltas and new order events, which only the worker reads, as one row of the
    /// state log (`StateLog`) instead of a row each.
    private func writeWorkerState(_ changes: BatchChanges, _ connection: OverlappedStatements) throws {
        let records = changes.workerStateRecordCount
        guard records > 0 else { return }
        let body = WorkerStateRecords.encode(
            userDaily: changes.userDaily.lazy.map { ($0.key, $0.value) }, orderEvents: changes.newOrderEvents)
        try connection.execute(
            "INSERT INTO \(schema).state_log (snapshot, records, body) VALUES (false, $1, $2)", [records, body])
    }

    /// Appends the batch's money per user and month to `user_monthly_log` (see `writeFunnel`).
    private func writeUserMonthly(_ changes: BatchChanges, _ connection: OverlappedStatements) throws {
        try appendToLog("user_monthly_log", Array(changes.userMonthly), project: \.key.user.project, columns: [
            ("user_ids", "text", { $0.map(\.key.user.userID) }), ("months", "date", { $0.map(\.key.month.description) }),
            ("payments", "bigint", { $0.map(\.value.payments) }),
            ("revenue", "numeric", { $0.map(\.value.revenue.description) }),
            ("refunds", "numeric", { $0.map(\.value.refunds.description) }),
        ], connection)
    }

    /// Appends the batch's funnel deltas to `funnel_log` (migration 0014), one row per project;
    /// `SummedLog` folds them into `funnel_daily` now and then. Keys are distinct within a batch.
    private func writeFunnel(_ changes: BatchChanges, _ connection: OverlappedStatements) throws {
        try appendToLog("funnel_log", Array(changes.funnel), project: \.key.project, columns: [
            ("days", "date", { $0.map(\.key.day.description) }),
            ("networks", "text", { $0.map(\.key.attribution.network) }),
            ("campaign_ids", "text", { $0.map(\.key.attribution.campaignID) }),
            ("ad_ids", "text", { $0.map(\.key.attribution.adID) }),
            ("impressions", "bigint", { $0.map(\.value.impressions) }),
            ("ad_clicks", "bigint", { $0.map(\.value.adClicks) }),
            ("spend", "numeric", { $0.map(\.value.spend.description) }),
            ("visits", "bigint", { $0.map(\.value.visits) }),
            ("registrations", "bigint", { $0.map(\.value.registrations) }),
            ("orders", "bigint", { $0.map(\.value.orders) }),
            ("paid_orders", "bigint", { $0.map(\.value.paidOrders) }),
            ("payments", "bigint", { $0.map(\.value.payments) }),
            ("revenue", "numeric", { $0.map(\.value.revenue.description) }),
            ("refunds", "numeric", { $0.map(\.value.refunds.description) }),
        ], connection)
    }

    private func writeProjectFigures(_ changes: BatchChanges, _ connection: OverlappedStatements) throws {
        let newUsers = Array(changes.newUsers)
        if !newUsers.isEmpty {
            try connection.execute("""
                INSERT INTO \(schema).new_users_daily AS n (project, day, new_users)
                SELECT * FROM unnest($1::text[], $2::date[], $3::bigint[])
                ON CONFLICT (project, day) DO UPDATE SET new_users = n.new_users + EXCLUDED.new_users
                """, [newUsers.map(\.key.project), newUsers.map(\.key.day.description), newUsers.map(\.value)])
        }
        let lastDays = Array(changes.lastDays)
        guard !lastDays.isEmpty else { return }
        try connection.execute("""
            INSERT INTO \(schema).project_activity AS a (project, last_day)
            SELECT * FROM unnest($1::text[], $2::date[])
            ON CONFLICT (project) DO UPDATE SET last_day = greatest(a.last_day, EXCLUDED.last_day)
            """, [lastDays.map(\.key), lastDays.map(\.value.description)])
    }

    private func writeMail(_ changes: BatchChanges, _ connection: OverlappedStatements) throws {
        try appendToLog("mail_daily_log", Array(changes.mailDaily), project: \.key.letter.project, columns: [
            ("channels", "text", { $0.map(\.key.letter.channel) }), ("letter_ids", "text", { $0.map(\.key.letter.letterID) }),
            ("days", "date", { $0.map(\.key.day.description) }), ("sent", "bigint", { $0.map(\.value.sent) }),
            ("delivered", "bigint", { $0.map(\.value.delivered) }), ("opened", "bigint", { $0.map(\.value.opened) }),
            ("clicked", "bigint", { $0.map(\.value.clicked) }),
            ("unsubscribed", "bigint", { $0.map(\.value.unsubscribed) }),
            ("bounced", "bigint", { $0.map(\.value.bounced) }), ("spam", "bigint", { $0.map(\.value.spam) }),
        ], connection)
        // Each reader's earliest open and click in this batch; BI takes the earliest over the log.
        let recipients = Array(Set(changes.firstOpens.keys).union(changes.firstClicks.keys))
        try appendToLog("mail_recipients_log", recipients, project: \.letter.project, columns: [
            ("channels", "text", { $0.map(\.letter.channel) }), ("letter_ids", "text", { $0.map(\.letter.letterID) }),
            ("user_ids", "text", { $0.map(\.userID) }),
            ("first_open_at", "timestamptz", { $0.map { changes.firstOpens[$0]?.at.rfc3339String } }),
            ("first_open_day", "date", { $0.map { changes.firstOpens[$0]?.day.description } }),
            ("first_click_at", "timestamptz", { $0.map { changes.firstClicks[$0]?.at.rfc3339String } }),
            ("first_click_day", "date", { $0.map { changes.firstClicks[$0]?.day.description } }),
        ], connection)
        // New rows, each of one applied event (see `writeRegistrations`).
        let clicks = changes.mailClicks
        guard !clicks.isEmpty else { return }
        try connection.execute("""
            INSERT INTO \(schema).mail_clicks (project, user_id, clicked_at, event_id, channel, letter_id)
            SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[])
            """, [
                clicks.map(\.user.project), clicks.map(\.user.userID), clicks.map(\.stamp.at.rfc3339String),
                clicks.map(\.stamp.id), clicks.map(\.channel), clicks.map(\.letterID),
            ])
    }

    private func writeChat(_ changes: BatchChanges, _ connection: OverlappedStatements) throws {
        try appendToLog("chat_daily_log", Array(changes.chatDaily), project: \.key.project, columns: [
            ("chat_ids", "text", { $0.map(\.key.chatID) }), ("days", "date", { $0.map(\.key.day.description) }),
            ("messages", "bigint", { $0.map(\.value.messages) }), ("joins", "bigint", { $0.map(\.value.joins) }),
            ("leaves", "bigint", { $0.map(\.value.leaves) }),
        ], connection)
        // A set where BI reads (`chat_daily` counts distinct members).
        try appendToLog("chat_members_log", Array(changes.chatMembers), project: \.chatDay.project, columns: [
            ("chat_ids", "text", { $0.map(\.chatDay.chatID) }), ("days", "date", { $0.map(\.chatDay.day.description) }),
            ("user_ids", "text", { $0.map(\.userID) }),
        ], connection)
    }

    /// Rows keyed by their event's id, as `mail_clicks`: an event is applied once (its id is in
    /// the applied ids with the row, in one transaction), and registrations and mail clicks are
    /// never refused, so the rows are new and go in without `ON CONFLICT`, whose probe of the key
    /// before each insert cost a third of the statement.
    private func writeRegistrations(_ changes: BatchChanges, _ connection: OverlappedStatements) throws {
        let registrations = changes.registrations
        guard !registrations.isEmpty else { return }
        try connection.execute("""
            INSERT INTO \(schema).registrations (project, user_id, registered_at, event_id, day, network, campaign_id,
                                                 ad_id, funnel)
            SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::date[], $6::text[],
                                 $7::text[], $8::text[], $9::text[])
            """, [
                registrations.map(\.user.project), registrations.map(\.user.userID),
                registrations.map(\.stamp.at.rfc3339String), registrations.map(\.stamp.id),
                registrations.map(\.day.description), registrations.map(\.attribution.network),
                registrations.map(\.attribution.campaignID), registrations.map(\.attribution.adID),
                registrations.map(\.funnel),
            ])
    }

    /// SPEC §4.11: each name field keeps the value of its latest event (by occurred_at, ties the
    /// larger id) among those carrying it non-empty: each field is compared with the stored one,
    /// so the later event wins in any arrival order.
    private func writeNames(_ changes: BatchChanges, _ connection: OverlappedStatements) throws {
        let ads = Array(changes.adNames)
        if !ads.isEmpty {
            let fields: [(column: String, values: [LatestName?])] = [
                ("campaign_name", ads.map(\.value.campaignName)), ("ad_group_id", ads.map(\.value.adGroupID)),
                ("ad_group_name", ads.map(\.value.adGroupName)), ("ad_name", ads.map(\.value.adName)),
            ]
            try connection.execute(
                Self.latestNamesUpsert(table: "\(schema).ad_names", keys: ["project", "network", "campaign_id", "ad_id"],
                                       fields: fields.map(\.column)),
                [ads.map(\.key.project), ads.map(\.key.network), ads.map(\.key.campaignID), ads.map(\.key.adID)]
                    + fields.flatMap { Self.nameColumns($0.values) })
        }
        let managers = Array(changes.managerNames)
        guard !managers.isEmpty else { return }
        try connection.execute(
            Self.latestNamesUpsert(table: "\(schema).manager_names", keys: ["project", "manager_id"], fields: ["name"]),
            [managers.map(\.key.project), managers.map(\.key.managerID)] + Self.nameColumns(managers.map(\.value)))
    }

    /// The value, instant and event id columns of one name field, as three array parameters.
    private static func nameColumns(_ names: [LatestName?]) -> [any PostgresEncodable] {
        [names.map { $0?.value }, names.map { $0?.stamp.at.rfc3339String }, names.map { $0?.stamp.id }]
    }

    /// An upsert of `keys` text columns and, per field, `field`, `field_at`, `field_id`: a field is
    /// replaced only by a later (instant, id) than the stored one.
    static func latestNamesUpsert(table: String, keys: [String], fields: [String]) -> String {
        let columns = keys + fields.flatMap { [$0, $0 + "_at", $0 + "_id"] }
        let types = keys.map { _ in "text" } + fields.flatMap { _ in ["text", "timestamptz", "text"] }
        let parameters = types.enumerated().map { "$\($0.offset + 1)::\($0.element)[]" }
        let updates = fields.flatMap { field -> [String] in
            let later = "EXCLUDED.\(field)_at IS NOT NULL AND (n.\(field)_at IS NULL OR "
                + "(EXCLUDED.\(field)_at, EXCLUDED.\(field)_id) > (n.\(field)_at, n.\(field)_id))"
            return ["", "_at", "_id"].map { suffix in
                "\(field)\(suffix) = CASE WHEN \(later) THEN EXCLUDED.\(field)\(suffix) ELSE n.\(field)\(suffix) END"
            }
        }
        return """
            INSERT INTO \(table) AS n (\(columns.joined(separator: ", ")))
            SELECT * FROM unnest(\(parameters.joined(separator: ", ")))
            ON CONFLICT (\(keys.joined(separator: ", "))) DO UPDATE SET
                \(updates.joined(separator: ",\n    "))
            """
    }
}
