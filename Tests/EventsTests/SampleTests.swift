import Foundation
import PipelineTestSupport
import Testing
@testable import Events

@Suite struct SampleTests {
    @Test func samplesExist() throws {
        #expect(Samples.valid.count >= 30)
        #expect(Samples.invalid.count >= 90)
        let names = Set(Samples.invalid.map { $0.deletingPathExtension().lastPathComponent })
        #expect(names == Set(try Samples.expectedErrors().keys), "every invalid sample needs exactly one expected error")
    }

    @Test func everyTypeHasValidSamples() throws {
        var types = Set<EventType>()
        for url in Samples.valid {
            types.insert(try Event.decode(json: Samples.bytes(url)).type)
        }
        #expect(types == Set(EventType.allCases))
    }

    @Test(arguments: Samples.valid.map(\.lastPathComponent))
    func validSampleDecodesAndRoundTrips(_ name: String) throws {
        let bytes = try Samples.bytes(Samples.directory.appendingPathComponent("valid/\(name)"))
        let event = try Event.decode(json: bytes)
        let encoded = event.encodeJSON()
        let again = try Event.decode(json: encoded)
        #expect(again == event)
        #expect(again.encodeJSON() == encoded, "canonical encoding is a fixed point")
        try event.validate()
    }

    @Test(arguments: Samples.invalid.map(\.lastPathComponent))
    func invalidSampleGivesExpectedError(_ name: String) throws {
        let expected = try #require(try Samples.expectedErrors()[String(name.dropLast(5))])
        let bytes = try Samples.bytes(Samples.directory.appendingPathComponent("invalid/\(name)"))
        #expect(throws: EventDecodingError.self) { try Event.decode(json: bytes) }
        do {
            _ = try Event.decode(json: bytes)
        } catch {
            #expect(error.description == expected)
            #expect(error.description == "\(error.field): \(error.problem)")
        }
    }

    /// The schemas and the decoder must agree on every sample; the schemas are run by Python's
    /// `jsonschema` (Draft 2020-12 with format checks), which this test requires rather than skips.
    @Test func schemasAgreeWithDecoderOnEverySample() throws {
        let generator = Samples.schemaDirectory.appendingPathComponent("generate.py").path
        let check = try runPython([generator, "--check"])
        #expect(check.status == 0, "schemas differ from generate.py: \(check.stderr)")

        let files = Samples.valid + Samples.invalid
        let run = try runPython([Samples.testsDirectory.appendingPathComponent("validate_samples.py").path, Samples.schemaDirectory.path] + files.map(\.path))
        try #require(run.status == 0, "validate_samples.py failed: \(run.stderr)")
        let verdicts = try JSONDecoder().decode([String: [String: Bool]].self, from: Data(run.stdout.utf8))
        #expect(verdicts.count == files.count)

        for url in Samples.valid {
            let verdict = try #require(verdicts[url.path])
            let type = try Event.decode(json: Samples.bytes(url)).type
            #expect(verdict["envelope"] == true, "envelope schema rejects valid sample \(url.lastPathComponent)")
            for other in EventType.allCases {
                #expect(verdict[other.rawValue] == (other == type), "\(other.rawValue) schema on \(url.lastPathComponent)")
            }
        }
        for url in Samples.invalid {
            let verdict = try #require(verdicts[url.path])
            for (schema, accepted) in verdict {
                #expect(!accepted, "\(schema) schema accepts invalid sample \(url.lastPathComponent)")
            }
        }
    }

    /// Events built in Swift, encoded, must satisfy the schema of their type too.
    @Test func encodedEventsSatisfyTheirSchemas() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("events-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var files: [String: EventType] = [:]
        for (index, event) in EventFixtures.all.enumerated() {
            let url = folder.appendingPathComponent("\(index).json")
            try Data(event.encodeJSON()).write(to: url)
            files[url.path] = event.type
        }
        let run = try runPython([Samples.testsDirectory.appendingPathComponent("validate_samples.py").path, Samples.schemaDirectory.path] + files.keys.sorted())
        try #require(run.status == 0, "validate_samples.py failed: \(run.stderr)")
        let verdicts = try JSONDecoder().decode([String: [String: Bool]].self, from: Data(run.stdout.utf8))
        for (path, type) in files {
            #expect(verdicts[path]?["envelope"] == true)
            #expect(verdicts[path]?[type.rawValue] == true)
        }
    }

    private func runPython(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        // Both pipes are drained together by the helper: a full one would otherwise block the child forever.
        let run = try ChildProcess.run("/usr/bin/env", ["python3"] + arguments)
        return (run.status, run.standardOutput, run.standardError)
    }
}
