import Aggregation
import Events
import Foundation
import Logging
import Migrations
import PipelineTestSupport
import Postgres
import Testing
import Verification
@testable import Worker

@Suite("the state log: ledgers and order events as a log of batches and snapshots")
struct StateLogTests {
    /// (seq, snapshot, records, body) of every state log row, in order.
    static func rows(_ harness: WorkerHarness) throws -> [[String?]] {
        try harness.query("SELECT seq::text, snapshot::text, records::text, md5(body) FROM pipeline.state_log ORDER BY state_log.seq")
    }

    @Test("snapshots replace the rows before them; a new owner reloads snapshot and deltas, and every view stays exact")
    func snapshotsAndReload() throws {
        // A snapshot as soon as the records since the last one reach its size (at least 1).
        let (data, harness, half, configuration) = try Self.firstHalfApplied(
            seed: 11, count: 400, batch: 25, snapshotInterval: 1)

        let rows = try Self.rows(harness)
        let snapshots = rows.filter { $0[1] == "true" }
        #expect(snapshots.count == 1, "only the latest snapshot is kept")
        #expect(rows.first?[1] == "true", "no row before the latest snapshot: \(rows)")
        #expect(try harness.query("SELECT count(*)::text FROM pipeline.state_log WHERE NOT snapshot")[0][0] != nil)

        // What a new owner reads equals what the owner that wrote it held.
        let connection = try harness.connection()
        defer { connection.close() }
        let loaded = try StateLog(schema: "pipeline").load(connection)
        #expect(Self.sameState(loaded, try Self.fromScratch(data.deliveries[..<half], data: data)))
        #expect(loaded.recordCount > 0 && !loaded.orderEvents.isEmpty)

        // The rest, by a new owner over the reloaded state: every view equals the oracle.
        try Self.applySecondHalfAndCompare(data, harness: harness, half: half, configuration: configuration)
    }

    @Test("a kill during a snapshot leaves the log as it was, and the next owner's figures are exact")
    func killDuringSnapshot() throws {
        // No snapshot by the worker itself.
        let (data, harness, half, configuration) = try Self.firstHalfApplied(
            seed: 12, count: 300, batch: 30, snapshotInterval: 1_000_000)
        let before = try Self.rows(harness)
        #expect(before.count > 1 && before.allSatisfy { $0[1] == "false" })

        // An owner writes a snapshot and dies before its commit (its server session is terminated,
        // as when the process is killed): the snapshot row and the deletion roll back together.
        let connection = try harness.connection()
        let admin = try harness.connection()
        defer { admin.close() }
        let pid = try connection.execute("SELECT pg_backend_pid()::text").rows[0].decode(0, as: String.self)
        let log = StateLog(schema: "pipeline")
        let state = try log.load(connection)
        #expect(throws: PostgresError.self) {
            try log.writeSnapshot(state, lease: nil, connection) {
                _ = try admin.execute("SELECT pg_terminate_backend($1::int)", [pid])
            }
        }
        connection.close()
        #expect(try Self.rows(harness) == before)
        let reloaded = try StateLog(schema: "pipeline").load(admin)
        #expect(reloaded == state)
        #expect(Self.sameState(state, try Self.fromScratch(data.deliveries[..<half], data: data)))

        // A snapshot that commits keeps the same state, here in rows of at most 7 lines.
        try StateLog(schema: "pipeline", snapshotChunkLines: 7).writeSnapshot(state, lease: nil, admin)
        let after = try Self.rows(harness)
        #expect(after.count == (state.recordCount + 6) / 7 && after.allSatisfy { $0[1] == "true" })
        #expect(after.compactMap { $0[2].flatMap(Int.init) }.reduce(0, +) == state.recordCount)
        #expect(try StateLog(schema: "pipeline").load(admin) == state)

        try Self.applySecondHalfAndCompare(data, harness: harness, half: half, configuration: configuration)
    }

    /// A random data set whose first half of deliveries a worker applied.
    static func firstHalfApplied(
        seed: UInt64, count: Int, batch: Int, snapshotInterval: Int
    ) throws -> (RandomEvents.DataSet, WorkerHarness, Int, WorkerConfiguration) {
        var generator = RandomEvents(seed: seed)
        let data = generator.dataSet(count: count)
        let harness = try WorkerHarness(partitions: 2)
        try harness.importRates(data.rates)
        let half = data.deliveries.count / 2
        try harness.produce(Array(data.deliveries[..<half]))
        var configuration = harness.workerConfiguration(untilCaughtUp: true, batch: batch)
        configuration.projects = data.projects
        configuration.stateSnapshotInterval = snapshotInterval
        _ = try PipelineWorker(configuration: configuration, logger: harness.logger).run()
        return (data, harness, half, configuration)
    }

    /// The rest of the deliveries, by a new owner over the stored state: every view must equal the oracle.
    static func applySecondHalfAndCompare(
        _ data: RandomEvents.DataSet, harness: WorkerHarness, half: Int, configuration: WorkerConfiguration
    ) throws {
        try harness.produce(Array(data.deliveries[half...]))
        _ = try PipelineWorker(configuration: configuration, logger: harness.logger).run()
        let differences = try ViewsEndToEndTests.differences(harness, data.oracle, summaries: [])
        #expect(differences.isEmpty, "\(differences.prefix(30).joined(separator: "\n"))")
    }

    /// The ledgers and order events of `deliveries`, computed by the pure aggregation from
    /// scratch: their distinct events (first delivery of each id) as one batch over no stored state.
    static func fromScratch(_ deliveries: ArraySlice<String>, data: RandomEvents.DataSet) throws -> WorkerStateRecords {
        var seen: Set<String> = []
        var events: [Event] = []
        for json in deliveries {
            let event = try Event.decode(json: json)
            if seen.insert(event.id).inserted { events.append(event) }
        }
        var rates = FxRates()
        for rate in data.rates { rates.add(base: rate.base, currency: rate.currency, day: rate.day, rate: rate.rate) }
        let changes = BatchProcessor(projects: data.projects, rates: rates).process(events, state: BatchState())
        var records = WorkerStateRecords()
        records.add(userDaily: changes.userDaily, orderEvents: changes.newOrderEvents)
        return records
    }

    /// Order events compared as sets: the log keeps them in batch order, a single batch in event order.
    static func sameState(_ lhs: WorkerStateRecords, _ rhs: WorkerStateRecords) -> Bool {
        lhs.ledgers == rhs.ledgers && lhs.orderEvents.mapValues(Set.init) == rhs.orderEvents.mapValues(Set.init)
    }
}

@Suite("migration 0010: user_daily and order_events become the state log's first snapshot")
struct StateLogMigrationTests {
    @Test("the rows of both tables read back from the snapshot, ids escaped; zero ledger days left out")
    func carriesOverTheTables() throws {
        let url = try ThrowawayPostgres.shared.createDatabase(prefix: "statelog")
        let connection = try PostgresConnection(connectionString: url, logger: Logger(label: "test"))
        defer { connection.close() }
        let all = try Migrator(
            directory: WorkerHarness.packageRoot.appendingPathComponent("schemas/migrations"), logger: Logger(label: "test"))
        let before = all.migrations.filter { $0.version < 10 }
        _ = try Migrator(migrations: before, logger: Logger(label: "test")).migrate(connection)
        _ = try connection.execute("""
            INSERT INTO pipeline.user_daily (project, user_id, day, registrations, orders, paid_orders, payments, revenue, refunds)
            VALUES ('school-a', 'u1', '2026-03-01', 1, 2, 1, 1, 1490.00, 0),
                   ('school-a', E'odd\\tid\\\\x', '2026-03-02', 0, 0, 0, 1, 0, 10.50),
                   ('school-a', 'u2', '2026-03-03', 0, 0, 0, 0, 0, 0)
            """)
        _ = try connection.execute("""
            INSERT INTO pipeline.order_events (project, order_id, event_id, occurred_at, status)
            VALUES ('school-a', 'o1', 'e1', '2026-03-01T10:00:00.000001Z', 'new'),
                   ('school-a', 'o1', 'e2', '2026-03-01T11:00:00Z', 'paid')
            """)
        let throughTen = try Migrator(migrations: all.migrations.filter { $0.version <= 10 }, logger: Logger(label: "test"))
        #expect(try throughTen.migrate(connection) == ["0010_state_log.sql"])
        #expect(try connection.execute("SELECT to_regclass('pipeline.user_daily') IS NULL AND to_regclass('pipeline.order_events') IS NULL")
            .rows[0].decode(0, as: Bool.self))

        let state = try StateLog(schema: "pipeline").load(connection)
        let school = "school-a"
        #expect(state.ledgers.mapValues(\.byDay) == [
            UserKey(project: school, userID: "u1"): [
                LocalDate("2026-03-01")!: LedgerMeasures(registrations: 1, orders: 2, paidOrders: 1, payments: 1,
                                                        revenue: DecimalNumber("1490")!)],
            UserKey(project: school, userID: "odd\tid\\x"): [
                LocalDate("2026-03-02")!: LedgerMeasures(payments: 1, refunds: DecimalNumber("10.5")!)],
        ])
        let micros = Instant(rfc3339: "2026-03-01T10:00:00Z")!.microsecondsSinceEpoch
        #expect(state.orderEvents[EntityKey(project: school, id: "o1")].map(Set.init) == [
            OrderStatusEvent(stamp: EventStamp(at: Instant(microsecondsSinceEpoch: micros + 1), id: "e1"), status: .new),
            OrderStatusEvent(stamp: EventStamp(at: Instant(microsecondsSinceEpoch: micros + 3_600_000_000), id: "e2"), status: .paid),
        ])
        #expect(try connection.execute("SELECT snapshot::text || ' ' || records FROM pipeline.state_log").rows
            .map { try $0.decode(0, as: String.self) } == ["true 4"])
    }
}
