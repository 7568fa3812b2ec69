import ArgumentParser
import Events
import Foundation
import Kafka

/// `pipeline produce`: validates JSON-lines envelopes and produces them to their topics.
struct ProduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Validate event envelopes (JSON lines, from a file or stdin) and produce them keyed per SPEC §2.",
        discussion: """
            Valid lines are produced even when others are not; every invalid line is reported on
            stderr as `line N: field: problem`, and the exit status is then 1.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "File of JSON lines; '-' or nothing reads standard input.")
    var file: String?

    @Option(help: "Messages handed to Kafka before waiting for their delivery reports.")
    var chunk: Int = 10_000

    func run() throws {
        let settings = try global.settings()
        let logger = makeLogger("pipeline.produce")
        let input: FileHandle
        if let file, file != "-" {
            guard let handle = FileHandle(forReadingAtPath: file) else {
                throw ValidationError("cannot open \(file)")
            }
            input = handle
        } else {
            input = FileHandle.standardInput
        }
        let producer = try KafkaProducer(configuration: settings.kafka, logger: logger)
        var pending: [KafkaOutgoingMessage] = []
        var produced = 0
        var rejected = 0
        var lineNumber = 0
        func drain() throws {
            guard !pending.isEmpty else { return }
            produced += try producer.sendAndWait(pending, timeout: .seconds(60)).count
            pending.removeAll(keepingCapacity: true)
        }
        for line in JSONLines(input) {
            lineNumber += 1
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }) {
                continue
            }
            do {
                let event = try Event.decode(json: line)
                pending.append(KafkaOutgoingMessage(event: event, topics: settings.topics))
            } catch {
                rejected += 1
                FileHandle.standardError.write(Data("line \(lineNumber): \(error)\n".utf8))
            }
            if pending.count >= chunk { try drain() }
        }
        try drain()
        try producer.flush(timeout: .seconds(30))
        print("produced \(produced) event(s), rejected \(rejected)")
        if rejected > 0 { throw ExitCode(1) }
    }
}

/// The lines of a file as byte arrays, read in large chunks.
struct JSONLines: Sequence, IteratorProtocol {
    let handle: FileHandle
    var buffer: [UInt8] = []
    var start = 0
    var finished = false

    init(_ handle: FileHandle) { self.handle = handle }

    mutating func next() -> [UInt8]? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                return line
            }
            if finished {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                return line
            }
            buffer.removeFirst(start)
            start = 0
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { finished = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}
