import Foundation
import PipelineTestSupport
import Testing

/// Schema-driven fuzzing of the real `pipeline ingest` binary: schemathesis generates requests for every operation
/// of `schemas/openapi.yaml` (which openapi-spec-validator checks first) and fails on any 5xx but the documented 503.
@Suite("schemathesis against pipeline ingest")
struct SchemathesisTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("every generated request gets an answer other than a server error, and the document is valid OpenAPI")
    func schemathesisFindsNoServerError() throws {
        let ingest = try IngestProcess()
        let run = try ChildProcess.run(
            "/usr/bin/env", ["bash", Self.repository.appendingPathComponent("ops/fuzz/ingest-schemathesis.sh").path, ingest.baseURL],
            environment: [
                "FUZZ_PROJECT": IngestProcess.project,
                "FUZZ_SECRET": IngestProcess.secret,
                "FUZZ_TELEGRAM_SECRET": IngestProcess.telegramSecret,
            ],
            mergeStandardError: true)
        let text = run.standardOutput
        ingest.stop()
        let summary = text.split(separator: "\n").filter { $0.contains("generated") || $0.contains(" in ") && $0.contains("=====") }
        print("schemathesis: \(summary.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "; "))")
        #expect(text.contains("schemas/openapi.yaml: OK"), "openapi-spec-validator did not accept the document:\n\(text.suffix(3000))")
        #expect(run.status == 0, "schemathesis failed:\n\(text.suffix(6000))")
        #expect(!ingest.log.contains("request failed"), "a handler threw an unexpected error:\n\(ingest.log.suffix(3000))")
    }
}
