import Aggregation
import Events
import Postgres

/// Fetches, in a few bulk queries, the stored state a batch needs, locking what it will change.
///
/// Orders, payments and ad polls are row-locked (`FOR UPDATE`); users whose figures the batch
/// changes are locked with transaction-scoped advisory locks, because a user's events arrive
/// through several topics and so through several workers at once, and a user may have no row
/// yet (how many locks, see `UserLocking`). Users only named by mail and chat events are neither
/// locked nor read (`ChangeWriter`).
struct StateLoader {
    /// The schema of the state tables (`pipeline`, or a rebuild's schema).
    let schema: String

    func load(_ requirements: BatchRequirements, in connection: PostgresConnection) throws -> BatchState {
        var state = BatchState()
        try loadOrders(requirements.orders, into: &state, connection)
        try loadPayments(requirements.payments, into: &state, connection)
        try loadAdStats(requirements.adStats, into: &state, connection)
        let users = requirements.users(with: state).sorted()
        try lockUsers(users, connection)
        try loadUsers(users, into: &state, connection)
        try loadLedgers(requirements.ledgerUsers(with: state).sorted(), into: &state, connection)
        return state
    }

    private func loadOrders(_ keys: Set<EntityKey>, into state: inout BatchState, _ connection: PostgresConnection) throws {
        guard !keys.isEmpty else { return }
        let sorted = keys.sorted()
        let parameters: [any PostgresEncodable] = [sorted.map(\.project), sorted.map(\.id)]
        for row in try connection.execute("""
            SELECT o.project, o.order_id, o.user_id, o.status, o.amount::text, o.currency, o.product, o.manager_id,
                   \(SQL.micros("o.created_at")), o.created_day::text, \(SQL.micros("o.last_event_at")), o.last_event_id,
                   o.paid_day::text, o.offer, o.tags::text, o.deal_network, o.deal_campaign_id, o.deal_ad_id
            FROM \(schema).orders o JOIN unnest($1::text[], $2::text[]) AS k(project, order_id)
              ON o.project = k.project AND o.order_id = k.order_id
            ORDER BY o.project, o.order_id
            FOR UPDATE OF o
            """, parameters).rows
        {
            let key = EntityKey(project: try row.decode(0, as: String.self), id: try row.decode(1, as: String.self))
            state.orders[key] = OrderState(
                latest: EventStamp(at: try row.instant(10), id: try row.decode(11, as: String.self)),
                userID: try row.decode(2, as: String.self),
                status: try row.enumeration(3, OrderStatus.self),
                amount: try row.decimal(4),
                currency: try row.decode(5, as: String.self),
                product: try row.decodeIfPresent(6, as: String.self),
                offer: try row.decodeIfPresent(13, as: String.self),
                managerID: try row.decodeIfPresent(7, as: String.self),
                tags: try row.decodeIfPresent(14, as: String.self).map(OrderTags.parse),
                dealAttribution: try row.decodeIfPresent(15, as: String.self).map { network in
                    Attribution(network: network, campaignID: try row.decode(16, as: String.self), adID: try row.decode(17, as: String.self))
                },
                createdAt: try row.instant(8),
                createdDay: try row.date(9),
                paidDay: try row.optionalDate(12))
        }
        for row in try connection.execute("""
            SELECT e.project, e.order_id, e.event_id, \(SQL.micros("e.occurred_at")), e.status
            FROM \(schema).order_events e JOIN unnest($1::text[], $2::text[]) AS k(project, order_id)
              ON e.project = k.project AND e.order_id = k.order_id
            """, parameters).rows
        {
            let key = EntityKey(project: try row.decode(0, as: String.self), id: try row.decode(1, as: String.self))
            state.orderEvents[key, default: []].append(OrderStatusEvent(
                stamp: EventStamp(at: try row.instant(3), id: try row.decode(2, as: String.self)),
                status: try row.enumeration(4, OrderStatus.self)))
        }
    }

    private func loadPayments(_ keys: Set<EntityKey>, into state: inout BatchState, _ connection: PostgresConnection) throws {
        guard !keys.isEmpty else { return }
        let sorted = keys.sorted()
        for row in try connection.execute("""
            SELECT p.project, p.payment_id,
                   \(SQL.micros("p.accepted_at")), p.accepted_id, p.accepted_user, p.accepted_order,
                   p.accepted_amount::text, p.accepted_day::text,
                   \(SQL.micros("p.latest_at")), p.latest_id, p.latest_status, p.latest_user,
                   p.latest_amount::text, p.latest_day::text, p.latest_order
            FROM \(schema).payments p JOIN unnest($1::text[], $2::text[]) AS k(project, payment_id)
              ON p.project = k.project AND p.payment_id = k.payment_id
            ORDER BY p.project, p.payment_id
            FOR UPDATE OF p
            """, [sorted.map(\.project), sorted.map(\.id)]).rows
        {
            let key = EntityKey(project: try row.decode(0, as: String.self), id: try row.decode(1, as: String.self))
            var accepted: PaymentFact?
            if row[2] != nil {
                accepted = PaymentFact(
                    stamp: EventStamp(at: try row.instant(2), id: try row.decode(3, as: String.self)),
                    status: .accepted, userID: try row.decode(4, as: String.self),
                    orderID: try row.decode(5, as: String.self), amount: try row.decimal(6), day: try row.date(7))
            }
            let latest = PaymentFact(
                stamp: EventStamp(at: try row.instant(8), id: try row.decode(9, as: String.self)),
                status: try row.enumeration(10, PaymentStatus.self), userID: try row.decode(11, as: String.self),
                orderID: try row.decode(14, as: String.self), amount: try row.decimal(12), day: try row.date(13))
            state.payments[key] = PaymentState(firstAccepted: accepted, latest: latest)
        }
    }

    private func loadAdStats(_ keys: Set<AdStatsKey>, into state: inout BatchState, _ connection: PostgresConnection) throws {
        guard !keys.isEmpty else { return }
        let sorted = keys.sorted { ($0.project, $0.network, $0.accountID, $0.campaignID, $0.adID, $0.day)
            < ($1.project, $1.network, $1.accountID, $1.campaignID, $1.adID, $1.day) }
        for row in try connection.execute("""
            SELECT s.project, s.network, s.account_id, s.campaign_id, s.ad_id, s.day::text,
                   \(SQL.micros("s.polled_at")), s.event_id, s.impressions, s.clicks, s.spend::text
            FROM \(schema).ad_stats s
            JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[])
                 AS k(project, network, account_id, campaign_id, ad_id, day)
              ON s.project = k.project AND s.network = k.network AND s.account_id = k.account_id
             AND s.campaign_id = k.campaign_id AND s.ad_id = k.ad_id AND s.day = k.day
            FOR UPDATE OF s
            """, [sorted.map(\.project), sorted.map(\.network), sorted.map(\.accountID), sorted.map(\.campaignID),
                  sorted.map(\.adID), sorted.map(\.day.description)]).rows
        {
            let key = AdStatsKey(
                project: try row.decode(0, as: String.self), network: try row.decode(1, as: String.self),
                accountID: try row.decode(2, as: String.self), campaignID: try row.decode(3, as: String.self),
                adID: try row.decode(4, as: String.self), day: try row.date(5))
            state.adStats[key] = AdStatsState(
                stamp: EventStamp(at: try row.instant(6), id: try row.decode(7, as: String.self)),
                impressions: try row.decode(8, as: Int64.self), clicks: try row.decode(9, as: Int64.self),
                spend: try row.decimal(10))
        }
    }

    private func lockUsers(_ users: [UserKey], _ connection: PostgresConnection) throws {
        guard !users.isEmpty else { return }
        let projects = users.map(\.project), ids = users.map(\.userID)
        switch UserLocking.mode(forDistinctUsers: users.count) {
        case .perUser:
            // Shared on the buckets, so that a coarse batch (below) waits for this one and this one
            // for it; exclusive per user, so that two small batches wait only on a user they share.
            try connection.execute("""
                SELECT pg_advisory_xact_lock_shared(hashtext($1), s.b) FROM (
                    SELECT DISTINCT \(UserLocking.bucket) AS b
                    FROM unnest($2::text[], $3::text[]) AS k(project, user_id) ORDER BY b) s
                """, [schema, projects, ids])
            // The same key as before buckets existed, so a worker of the previous release still
            // excludes this one per user while both run during an upgrade.
            try connection.execute("""
                SELECT pg_advisory_xact_lock(s.h) FROM (
                    SELECT DISTINCT hashtextextended(k.project || chr(31) || k.user_id, 0) AS h
                    FROM unnest($1::text[], $2::text[]) AS k(project, user_id) ORDER BY h) s
                """, [projects, ids])
        case .perBucket:
            try connection.execute("""
                SELECT pg_advisory_xact_lock(hashtext($1), s.b) FROM (
                    SELECT DISTINCT \(UserLocking.bucket) AS b
                    FROM unnest($2::text[], $3::text[]) AS k(project, user_id) ORDER BY b) s
                """, [schema, projects, ids])
        }
    }

    private func loadUsers(_ users: [UserKey], into state: inout BatchState, _ connection: PostgresConnection) throws {
        guard !users.isEmpty else { return }
        for row in try connection.execute("""
            SELECT u.project, u.user_id, \(SQL.micros("u.first_reg_at")), u.first_reg_id, u.first_reg_day::text,
                   u.network, u.campaign_id, u.ad_id
            FROM \(schema).users u JOIN unnest($1::text[], $2::text[]) AS k(project, user_id)
              ON u.project = k.project AND u.user_id = k.user_id
            """, [users.map(\.project), users.map(\.userID)]).rows
        {
            let key = UserKey(project: try row.decode(0, as: String.self), userID: try row.decode(1, as: String.self))
            var first: FirstRegistration?
            if row[2] != nil {
                first = FirstRegistration(
                    stamp: EventStamp(at: try row.instant(2), id: try row.decode(3, as: String.self)),
                    day: try row.date(4),
                    attribution: Attribution(network: try row.decode(5, as: String.self),
                                             campaignID: try row.decode(6, as: String.self),
                                             adID: try row.decode(7, as: String.self)))
            }
            state.users[key] = UserState(firstRegistration: first)
        }
    }

    private func loadLedgers(_ users: [UserKey], into state: inout BatchState, _ connection: PostgresConnection) throws {
        guard !users.isEmpty else { return }
        for row in try connection.execute("""
            SELECT d.project, d.user_id, d.day::text, d.registrations, d.orders, d.paid_orders, d.payments,
                   d.revenue::text, d.refunds::text
            FROM \(schema).user_daily d JOIN unnest($1::text[], $2::text[]) AS k(project, user_id)
              ON d.project = k.project AND d.user_id = k.user_id
            """, [users.map(\.project), users.map(\.userID)]).rows
        {
            let key = UserKey(project: try row.decode(0, as: String.self), userID: try row.decode(1, as: String.self))
            state.ledgers[key, default: [:]][try row.date(2)] = LedgerMeasures(
                registrations: try row.decode(3, as: Int64.self), orders: try row.decode(4, as: Int64.self),
                paidOrders: try row.decode(5, as: Int64.self), payments: try row.decode(6, as: Int64.self),
                revenue: try row.decimal(7), refunds: try row.decimal(8))
        }
    }
}

/// SQL fragments shared by the loader and the writer.
enum SQL {
    /// A timestamptz as exact microseconds since the epoch (extract returns numeric, so nothing is lost).
    static func micros(_ column: String) -> String {
        "(extract(epoch FROM \(column)) * 1000000)::bigint"
    }
}

/// A stored value that could not be read back into the worker's types.
struct StoredValueError: Error, CustomStringConvertible {
    let description: String
}

extension PostgresRow {
    func instant(_ index: Int) throws -> Instant {
        Instant(microsecondsSinceEpoch: try decode(index, as: Int64.self))
    }

    func date(_ index: Int) throws -> LocalDate {
        let text = try decode(index, as: String.self)
        guard let date = LocalDate(text) else { throw StoredValueError(description: "column \(index): not a date: \(text)") }
        return date
    }

    func optionalDate(_ index: Int) throws -> LocalDate? {
        self[index] == nil ? nil : try date(index)
    }

    func decimal(_ index: Int) throws -> DecimalNumber {
        let text = try decode(index, as: String.self)
        let negative = text.hasPrefix("-")
        guard let magnitude = DecimalNumber(negative ? String(text.dropFirst()) : text) else {
            throw StoredValueError(description: "column \(index): not an exact decimal: \(text)")
        }
        return negative ? -magnitude : magnitude
    }

    func enumeration<T: RawRepresentable>(_ index: Int, _ type: T.Type) throws -> T where T.RawValue == String {
        let text = try decode(index, as: String.self)
        guard let value = T(rawValue: text) else { throw StoredValueError(description: "column \(index): unknown value \(text)") }
        return value
    }
}
