import Events

/// SPEC §4.12: one person, several ids. The resolution is a rewrite of the events themselves, done
/// once before any view is computed, which is exactly the recomputation SPEC says the figures equal.
extension Oracle {
    /// Per (project, alias): the link that alias follows, the earliest `identity` event naming it
    /// (smallest `occurred_at`, ties the smaller id by code point), as (user, event id).
    package static func links(_ events: [Event]) -> [UserKey: (user: String, linkID: String)] {
        var earliest: [UserKey: Event] = [:]
        for event in events {
            guard case .identity(let link) = event.data else { continue }
            let key = UserKey(project: event.project, user: link.alias)
            // `before` orders by (occurred_at, id by code point): its minimum is the earliest, smaller id on a tie.
            if let current = earliest[key], !Oracle.before(event, current) { continue }
            earliest[key] = event
        }
        return earliest.compactMapValues { event in
            if case .identity(let link) = event.data { (link.userID, event.id) } else { nil }
        }
    }

    /// The events with every `chat` and `mail` event whose user is a linked alias of its project given
    /// the linked user instead. One step only: the linked user is not looked up again, even when it is
    /// itself an alias. Registrations, orders, payments, learning events and the identity events
    /// themselves keep their ids (SPEC names only chat and mail events).
    package static func resolveIdentities(_ events: [Event]) -> [Event] {
        let links = links(events)
        guard !links.isEmpty else { return events }
        func linked(_ project: String, _ user: String) -> String? { links[UserKey(project: project, user: user)]?.user }
        return events.map { event in
            switch event.data {
            case .chat(var chat):
                guard let user = linked(event.project, chat.userID) else { return event }
                chat.userID = user
                return event.replacingData(.chat(chat))
            case .mail(var mail):
                guard let user = linked(event.project, mail.userID) else { return event }
                mail.userID = user
                return event.replacingData(.mail(mail))
            default:
                return event
            }
        }
    }
}

extension Event {
    /// The same envelope (id, project, instant as written) with other data.
    fileprivate func replacingData(_ data: EventData) -> Event {
        Event(id: id, project: project, source: source, occurredAt: occurredAt, occurredAtText: occurredAtText, data: data)
    }
}
