import Events
import Foundation
import Testing

/// Tens of thousands of seeded mutations of the valid envelope samples through `Event.decode(json:)`: no crash, every
/// rejection a typed error naming a field, every acceptance stable through encode → decode.
@Suite struct EnvelopeFuzzTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("EventsTests/Samples/valid")

    static func validSamples() throws -> [[UInt8]] {
        let names = try FileManager.default.contentsOfDirectory(atPath: samples.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { Array(try Data(contentsOf: samples.appendingPathComponent($0))) }
    }

    @Test func mutatedEnvelopesAreDecodedOrRefusedWithAField() throws {
        let seeds = try Self.validSamples()
        #expect(seeds.count >= 20)
        var mutator = Mutator(seed: FuzzSettings.seed)
        let perSample = 1_000 * FuzzSettings.scale
        var accepted = 0
        var fields: [String: Int] = [:]
        var failures: [String] = []
        for seed in seeds {
            // Every seed itself must decode; a broken sample would make the run meaningless.
            let original = try Event.decode(json: seed)
            #expect(Event.roundTrips(original))
            for _ in 0..<perSample {
                let input = mutator.mutateJSON(seed)
                do {
                    let event = try Event.decode(json: input)
                    accepted += 1
                    if !Event.roundTrips(event), failures.count < 5 {
                        failures.append("accepted but not stable: \(String(decoding: input, as: UTF8.self))")
                    }
                } catch {
                    fields[error.field, default: 0] += 1
                    if (error.field.isEmpty || error.problem.isEmpty), failures.count < 5 {
                        failures.append("error without field or problem (\(error)) for \(String(decoding: input, as: UTF8.self))")
                    }
                }
            }
        }
        let total = seeds.count * perSample
        print("fuzz envelope: seed=\(FuzzSettings.seed) mutations=\(total) accepted=\(accepted) refused=\(total - accepted) distinct-fields=\(fields.count)")
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        // The generator must reach both sides, or it is testing nothing.
        #expect(accepted > 0)
        #expect(fields.count > 20)
    }
}

extension Event {
    /// True when the event's JSON decodes back to the same event and re-encodes to the same bytes.
    static func roundTrips(_ event: Event) -> Bool {
        let json = event.encodeJSON()
        guard let again = try? Event.decode(json: json) else { return false }
        return again == event && again.encodeJSON() == json
    }
}
