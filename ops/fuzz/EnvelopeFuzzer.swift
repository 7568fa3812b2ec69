// libFuzzer entry point for the envelope decoder; compiled together with Sources/Events by
// ops/fuzz/libfuzzer-envelope.sh (not part of the package build).

/// Decodes the input; an accepted event must survive encode → decode unchanged, a refusal must name a field.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvelope(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    do {
        let event = try Event.decode(json: bytes)
        let json = event.encodeJSON()
        guard let again = try? Event.decode(json: json), again == event, again.encodeJSON() == json else {
            fatalError("accepted event does not round-trip: \(String(decoding: bytes, as: UTF8.self))")
        }
    } catch {
        precondition(!error.field.isEmpty && !error.problem.isEmpty, "refusal without a field: \(error)")
    }
    return 0
}
