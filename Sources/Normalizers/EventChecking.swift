import Events

/// Runs the consumers' own validation on every event before it leaves a normalizer, so a producer can never emit what a worker would dead-letter.
enum EventChecking {
    static func checked(_ event: Event) throws(NormalizationError) -> Event {
        do {
            try event.validate()
        } catch {
            throw NormalizationError(field: "event." + error.field, problem: error.problem)
        }
        return event
    }
}
