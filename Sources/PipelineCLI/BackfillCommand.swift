import ArgumentParser
import Backfill
import Events
import Foundation
import Ingest
import Kafka
import Normalizers

/// `pipeline backfill`: imports GetCourse's history (CSV exports or the Export API) as SPEC events.
struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Import GetCourse users, orders and payments (CSV exports or the Export API) and learning history (CSV) into Kafka as events.",
        discussion: """
            Rows become the events the live GetCourse callbacks would give, with the same ids, so an import \
            repeated or overlapping live webhooks counts nothing twice. E-mails are hashed with \
            \(EnvironmentVariable.projectPrefix)<NAME>_SALT (required); names and phones are dropped. \
            Bad rows are reported on stderr as `<table> line N: column «…»: problem`, skipped, and make the exit \
            status 1; the rest is imported. With --checkpoint, progress is recorded after Kafka confirmed each \
            batch, and a rerun resumes there. The Export API key comes from \
            \(EnvironmentVariable.projectPrefix)<NAME>\(EnvironmentVariable.projectGetCourseKeySuffix).
            """)


    @OptionGroup var global: GlobalOptions

    @Option(help: "Project (school) the events belong to: lower-case letters, digits and '-'.")
    var project: String

    @Option(help: "CSV export of users («Пользователи»).")
    var users: String?

    @Option(help: "CSV export of orders («Заказы»).")
    var orders: String?

    @Option(help: "CSV export of payments («Платежи»).")
    var payments: String?

    @Option(help: "CSV of learning history, one step a row: user_id, course_id, lesson_id, kind, occurred_at.")
    var learning: String?

    @Option(help: "CSV field separator: one character, or 'tab'.")
    var delimiter: String = ";"

    @Option(help: "CSV text encoding: utf-8 or windows-1251.")
    var encoding: String = "utf-8"

    @Option(help: "Decimal separator of money cells: comma (14 900,50) or point (14,900.50).")
    var decimal: String = "comma"

    @Option(help: "Checkpoint file: written after Kafka confirms each batch; a rerun with it resumes.")
    var checkpoint: String?

    @Option(help: "Also write the rejected rows' report (one line per row: table, line, column, problem) to this file.")
    var rejects: String?

    @Option(help: "Rows per batch (one checkpoint per batch).")
    var batchRows: Int = 1000

    @Option(help: "GetCourse account URL for the Export API, e.g. https://school.getcourse.ru")
    var apiURL: String?

    @Option(help: "Exports to fetch through the API, comma-separated: users, deals, payments.")
    var apiExports: String = "users,deals,payments"

    @Option(help: "Export API filter created_at[from] (YYYY-MM-DD).")
    var createdFrom: String?

    @Option(help: "Export API filter created_at[to] (YYYY-MM-DD).")
    var createdTo: String?

    func run() async throws {
        let settings = try global.settings()
        let logger = makeLogger("pipeline.backfill")
        let environment = ProcessInfo.processInfo.environment
        guard let name = ProjectCredentials.environmentName(of: project) else {
            throw ValidationError("--project: lower-case letters, digits and '-' only, got \"\(project)\"")
        }
        let saltVariable = EnvironmentVariable.projectPrefix + name + EnvironmentVariable.projectSaltSuffix
        guard let salt = environment[saltVariable], !salt.isEmpty else {
            throw ValidationError("\(saltVariable): missing; every project needs a personal-data salt")
        }
        let context = ProjectContext(project: project, salt: salt, timeZone: settings.projects.settings(for: project).timeZone)
        let format = try csvFormat()
        let files: [(GetCourseExportKind, String)] = [(.users, users), (.orders, orders), (.payments, payments)]
            .compactMap { kind, path in path.map { (kind, $0) } }
        guard !files.isEmpty || learning != nil || apiURL != nil else {
            throw ValidationError("nothing to import: give --users, --orders, --payments, --learning and/or --api-url")
        }

        let producer = try KafkaProducer(configuration: settings.kafka, logger: logger)
        let stderr = FileHandle.standardError
        var rejectsFile: FileHandle?
        if let rejects {
            guard FileManager.default.createFile(atPath: rejects, contents: nil), let handle = FileHandle(forWritingAtPath: rejects) else {
                throw ValidationError("--rejects: cannot create \(rejects)")
            }
            rejectsFile = handle
        }
        let rejectsHandle = rejectsFile
        let runner = BackfillRunner(
            sink: KafkaEventSink(producer: producer, topics: settings.topics),
            checkpointFile: checkpoint.map(CheckpointFile.init(path:)),
            batchRows: batchRows,
            progress: { stderr.write(Data(($0 + "\n").utf8)) },
            report: { line in
                stderr.write(Data(("rejected: " + line + "\n").utf8))
                rejectsHandle?.write(Data((line + "\n").utf8))
            })
        var total = BackfillOutcome()
        func add(_ outcome: BackfillOutcome) {
            total.rowsResumed += outcome.rowsResumed
            total.rowsRead += outcome.rowsRead
            total.rowsRejected += outcome.rowsRejected
            total.eventsDelivered += outcome.eventsDelivered
        }

        /// The CSV file `path` given as `--option`, named by its file name in messages and checkpoints.
        func readTable(option: String, path: String) throws -> (fileName: String, table: CSVExportTable) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("--\(option): cannot read \(path)")
            }
            let fileName = URL(fileURLWithPath: path).lastPathComponent
            return (fileName, try CSVExportTable(name: fileName, bytes: Array(data), format: format))
        }

        for (kind, path) in files {
            var (fileName, table) = try readTable(option: kind.rawValue, path: path)
            let mapper: GetCourseRowMapper
            do {
                mapper = try GetCourseRowMapper(kind: kind, header: table.header, context: context, decimalSeparator: format.decimalSeparator)
            } catch {
                // The mapper does not know the table's name; the message names it.
                guard case .missingColumns(let header) = error else { throw error }
                throw BackfillError.header(table: fileName, header)
            }
            add(try await runner.run(table: &table, mapper: mapper, key: "\(kind.rawValue):\(fileName)"))
        }

        if let learning {
            var (fileName, table) = try readTable(option: "learning", path: learning)
            let mapper: LearningRowMapper
            do {
                mapper = try LearningRowMapper(header: table.header, context: context)
            } catch {
                throw ValidationError("--learning: \(fileName): \(error)")
            }
            add(try await runner.run(table: &table, mapper: mapper, key: "learning:\(fileName)"))
        }

        if let apiURL {
            guard let base = URL(string: apiURL), base.scheme == "https" || base.scheme == "http" else {
                throw ValidationError("--api-url: must be an http(s) URL such as https://school.getcourse.ru")
            }
            let keyVariable = EnvironmentVariable.projectPrefix + name + EnvironmentVariable.projectGetCourseKeySuffix
            guard let key = environment[keyVariable], !key.isEmpty else {
                throw ValidationError("\(keyVariable): missing; the Export API needs the school's API key")
            }
            let client = GetCourseExportClient(baseURL: base, key: key)
            var filters: [(String, String)] = []
            if let createdFrom { filters.append(("created_at[from]", createdFrom)) }
            if let createdTo { filters.append(("created_at[to]", createdTo)) }
            let stored = try checkpoint.map { try CheckpointFile(path: $0).load() } ?? BackfillCheckpoint()
            for word in apiExports.split(separator: ",") {
                guard let kind = GetCourseExportKind(name: word.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--api-exports: unknown export \"\(word)\" (users, deals, payments)")
                }
                let key = "api:\(kind.rawValue)"
                stderr.write(Data("\(kind.apiPath): requesting an export (GetCourse may take minutes)\n".utf8))
                var table = try await client.export(kind: kind, filters: filters, exportID: stored.resumableExportID(key))
                let mapper: GetCourseRowMapper
                do {
                    mapper = try GetCourseRowMapper(kind: kind, header: table.header, context: context, decimalSeparator: .point)
                } catch {
                    // The mapper does not know the table's name; the message names it.
                    guard case .missingColumns(let header) = error else { throw error }
                    throw BackfillError.header(table: table.name, header)
                }
                let exportID = Int(table.identity.dropFirst("export:".count))
                add(try await runner.run(table: &table, mapper: mapper, key: key, exportID: exportID))
            }
        }
        try producer.flush(timeout: .seconds(30))
        try rejectsHandle?.close()
        print("backfill: \(total.eventsDelivered) event(s) delivered from \(total.rowsRead) row(s), \(total.rowsRejected) rejected, \(total.rowsResumed) already done per the checkpoint")
        if total.rowsRejected > 0 { throw ExitCode(1) }
    }

    func csvFormat() throws -> CSVFormat {
        let separator: UInt8
        switch delimiter {
        case "tab", "\\t", "\t": separator = UInt8(ascii: "\t")
        default:
            guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first, byte != UInt8(ascii: "\""),
                  byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r")
            else {
                throw ValidationError("--delimiter: one ASCII character other than a quote or line break, or 'tab'; got \"\(delimiter)\"")
            }
            separator = byte
        }
        guard let textEncoding = TextEncoding(name: encoding) else {
            throw ValidationError("--encoding: utf-8 or windows-1251, got \"\(encoding)\"")
        }
        guard let decimalSeparator = DecimalSeparator(rawValue: decimal) else {
            throw ValidationError("--decimal: comma or point, got \"\(decimal)\"")
        }
        return CSVFormat(delimiter: separator, encoding: textEncoding, decimalSeparator: decimalSeparator)
    }
}
