import Aggregation
import Events
import Postgres

/// The entity state of every user, order, payment and ad poll, kept in memory by the lease owner:
/// read in full when it takes the lease, handed to every batch without a query, and changed by
/// each batch: once it committed, or once it was computed ahead of its commit (then, if that
/// transaction fails, read in full again), so it equals what the tables and the state log hold
/// once the running batch commits.
///
/// Users' daily ledgers and orders' status events are read by no view: they live only here and in
/// the state log (`StateLog`), not in tables.
final class EntityStore {
    /// The schema of the state tables (`pipeline`, or a rebuild's schema).
    let schema: String
    /// Every user in `users_log`, with the earliest first registration logged.
    private(set) var users = DenseTable<UserKey, UserState>()
    private(set) var orders = DenseTable<EntityKey, OrderState>()
    private(set) var payments = DenseTable<EntityKey, PaymentState>()
    private(set) var adStats: [AdStatsKey: AdStatsState] = [:]
    /// Ledgers and order status events, as the state log holds them.
    private(set) var workerState = WorkerStateRecords()
    let stateLog: StateLog
    /// Compacts the id logs after each snapshot and folds the logs of sums when due, off the batches'
    /// path; without one the snapshot's transaction does both.
    var logCompactor: LogCompactor?
    /// When the logs of sums are folded (`SummedLog`).
    var foldLimits = SummedLog.FoldLimits()
    /// Batches and elements appended to the logs of sums since the last fold was requested. A new
    /// owner does not know what the last one left, so its first batch requests a fold.
    private var sinceFold: (batches: Int, elements: Int) = (.max / 2, 0)

    init(schema: String, stateSnapshotInterval: Int = 200_000) {
        self.schema = schema
        stateLog = StateLog(schema: schema, minimumSnapshotInterval: stateSnapshotInterval)
    }

    /// Reads every entity row (the owner does this when it takes the lease), inside the caller's
    /// transaction (`BatchApplier.loadState`: its cursors need one). Touches only the entity
    /// tables in memory, so it may run beside `loadStateLog` on another thread and connection.
    func loadEntities(_ connection: PostgresConnection) throws {
        users = DenseTable()
        orders = DenseTable()
        payments = DenseTable()
        adStats = [:]
        try loadOrders(connection)
        try loadPayments(connection)
        try loadAdStats(connection)
        try loadUsers(connection)
    }

    /// Reads the state log (ledgers and order events), inside the caller's transaction.
    func loadStateLog(_ connection: PostgresConnection) throws {
        workerState = try stateLog.load(connection)
    }

    /// Entity rows held at once while loading (`forEachRow`).
    static let rowsPerFetch = 10_000

    /// What a batch of these requirements needs, from memory: the stored entities, and the ledgers
    /// of the users whose first registration it may move.
    func batchState(for requirements: BatchRequirements) -> BatchState {
        var state = BatchState()
        // Room for every key the batch names, stored or new: the processor's copies of these
        // tables then take the batch's new keys without growing.
        state.orders.reserveCapacity(requirements.orders.count)
        state.orderEvents.reserveCapacity(requirements.orders.count)
        state.payments.reserveCapacity(requirements.payments.count)
        state.adStats.reserveCapacity(requirements.adStats.count)
        for key in requirements.orders {
            if let order = orders[key] { state.orders[key] = order }
            if let events = workerState.orderEvents[key] { state.orderEvents[key] = events }
        }
        for key in requirements.payments { if let payment = payments[key] { state.payments[key] = payment } }
        for key in requirements.adStats { if let stats = adStats[key] { state.adStats[key] = stats } }
        let batchUsers = requirements.users(with: state)
        state.users.reserveCapacity(batchUsers.count)
        for user in batchUsers { if let stored = users[user] { state.users[user] = stored } }
        for user in requirements.ledgerUsers(with: state) {
            if let ledger = workerState.ledgers[user] { state.ledgers[user] = ledger.byDay }
        }
        return state
    }

    /// Takes in a committed batch's changes (what `ChangeWriter` wrote).
    func apply(_ changes: BatchChanges) {
        for user in changes.usersSeen where users[user] == nil { users.set(UserState(), for: user) }
        users.merge(changes.users)
        orders.merge(changes.orders)
        workerState.add(userDaily: changes.userDaily, orderEvents: changes.newOrderEvents)
        stateLog.committed(records: changes.workerStateRecordCount)
        payments.merge(changes.payments)
        adStats.merge(changes.adStats) { $1 }
        let summedElements = changes.funnel.count + changes.mailDaily.count + changes.chatDaily.count
            + changes.userMonthly.count
        if summedElements > 0 { sinceFold = (sinceFold.batches + 1, sinceFold.elements + summedElements) }
        if let logCompactor, sinceFold.batches >= foldLimits.batches || sinceFold.elements >= foldLimits.elements {
            logCompactor.request(idLogs: false, sums: true)
            sinceFold = (0, 0)
        }
    }

    /// Replaces the state log's rows by one snapshot of the whole state when the rows since the
    /// last one outgrow it (in its own transaction, fenced by the lease).
    func snapshotIfDue(lease: WorkerLease?, _ connection: PostgresConnection) throws {
        guard stateLog.snapshotDue else { return }
        try stateLog.writeSnapshot(workerState, lease: lease, compactingLogs: logCompactor == nil, connection)
        // The logs of sums wait for their own limits: folding them here too wrote each key twice as
        // often for no figure (they do not grow with the state).
        if let logCompactor { logCompactor.request(idLogs: true, sums: false) } else { sinceFold = (0, 0) }
    }

    private func loadOrders(_ connection: PostgresConnection) throws {
        try connection.forEachRow("""
            SELECT o.project, o.order_id, o.user_id, o.status, o.amount::text, o.currency, o.product, o.manager_id,
                   \(SQL.micros("o.created_at")), o.created_day::text, \(SQL.micros("o.last_event_at")), o.last_event_id,
                   o.paid_day::text, o.offer, o.tags::text, o.deal_network, o.deal_campaign_id, o.deal_ad_id
            FROM \(schema).orders o
            """, rowsPerFetch: Self.rowsPerFetch) { row in
            let key = EntityKey(project: try row.decode(0, as: String.self), id: try row.decode(1, as: String.self))
            orders.set(OrderState(
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
                paidDay: try row.optionalDate(12)), for: key)
        }
    }

    private func loadPayments(_ connection: PostgresConnection) throws {
        try connection.forEachRow("""
            SELECT p.project, p.payment_id,
                   \(SQL.micros("p.accepted_at")), p.accepted_id, p.accepted_user, p.accepted_order,
                   p.accepted_amount::text, p.accepted_day::text,
                   \(SQL.micros("p.latest_at")), p.latest_id, p.latest_status, p.latest_user,
                   p.latest_amount::text, p.latest_day::text, p.latest_order
            FROM \(schema).payments p
            """, rowsPerFetch: Self.rowsPerFetch) { row in
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
            payments.set(PaymentState(firstAccepted: accepted, latest: latest), for: key)
        }
    }

    private func loadAdStats(_ connection: PostgresConnection) throws {
        try connection.forEachRow("""
            SELECT s.project, s.network, s.account_id, s.campaign_id, s.ad_id, s.day::text,
                   \(SQL.micros("s.polled_at")), s.event_id, s.impressions, s.clicks, s.spend::text
            FROM \(schema).ad_stats s
            """, rowsPerFetch: Self.rowsPerFetch) { row in
            let key = AdStatsKey(
                project: try row.decode(0, as: String.self), network: try row.decode(1, as: String.self),
                accountID: try row.decode(2, as: String.self), campaignID: try row.decode(3, as: String.self),
                adID: try row.decode(4, as: String.self), day: try row.date(5))
            adStats[key] = AdStatsState(
                stamp: EventStamp(at: try row.instant(6), id: try row.decode(7, as: String.self)),
                impressions: try row.decode(8, as: Int64.self), clicks: try row.decode(9, as: Int64.self),
                spend: try row.decimal(10))
        }
    }

    /// Every entry of `users_log`, folded: a user's state is the entry with the earliest first
    /// registration (a batch logs a user when new and whenever that registration moves earlier).
    /// `unnest` in the select list steps the arrays in lockstep, four times faster than in FROM.
    private func loadUsers(_ connection: PostgresConnection) throws {
        try connection.forEachRow("""
            SELECT u.project, u.user_id, \(SQL.micros("u.first_reg_at")), u.first_reg_id, u.first_reg_day::text,
                   u.network, u.campaign_id, u.ad_id
            FROM (SELECT l.project, unnest(l.user_ids) AS user_id, unnest(l.first_reg_at) AS first_reg_at,
                         unnest(l.first_reg_ids) AS first_reg_id, unnest(l.first_reg_day) AS first_reg_day,
                         unnest(l.networks) AS network, unnest(l.campaign_ids) AS campaign_id, unnest(l.ad_ids) AS ad_id
                  FROM \(schema).users_log l) u
            """, rowsPerFetch: Self.rowsPerFetch) { row in
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
            if let held = users[key] {
                guard let first, held.firstRegistration.map({ first.stamp < $0.stamp }) ?? true else { return }
            }
            users.set(UserState(firstRegistration: first), for: key)
        }
    }
}

/// SQL fragments shared by the store and the writer.
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
