import Events

/// Computes what a batch of distinct, not yet applied events changes, from the stored state
/// they need: pure, so every rule of SPEC §3–§4 is tested without a database.
///
/// Every figure is a function of entity states (users, orders, payments, ad polls), and every
/// state is a min/max over the entity's events, so the result does not depend on arrival order.
/// A changed entity contributes `new − old`; a user whose first registration changed has their
/// whole ledger moved from the old attribution to the new one.
public struct BatchProcessor: Sendable {
    public var projects: ProjectDirectory
    public var attributionRules: AttributionRules
    public var rates: FxRates

    public init(projects: ProjectDirectory, attributionRules: AttributionRules = .default, rates: FxRates) {
        self.projects = projects
        self.attributionRules = attributionRules
        self.rates = rates
    }

    /// How the reason of an event rejected for a missing currency rate begins.
    public static let missingRatePrefix = "fx rate missing:"

    public func process(_ events: [Event], state: BatchState) -> BatchChanges {
        var run = Run(processor: self, state: state, counts: EventTypeCounts(events))
        for (index, event) in events.enumerated() {
            if let reason = run.absorb(event) { run.changes.rejected[index] = reason }
        }
        run.finish()
        return run.changes
    }

    /// The mutable work of one `process` call.
    private struct Run {
        let processor: BatchProcessor
        let stored: BatchState
        var users: [UserKey: UserState]
        var orders: [EntityKey: OrderState]
        var orderEvents: [EntityKey: [OrderStatusEvent]]
        var payments: [EntityKey: PaymentState]
        var adStats: [AdStatsKey: AdStatsState]
        var ledgerDeltas: [UserDayKey: LedgerMeasures] = [:]
        var changes = BatchChanges()

        init(processor: BatchProcessor, state: BatchState, counts: EventTypeCounts) {
            self.processor = processor
            stored = state
            // Copied on their first change, at the stored tables' capacity: `EntityStore.batchState`
            // sizes those for every key the batch names, new ones included.
            users = state.users
            orders = state.orders
            orderEvents = state.orderEvents
            payments = state.payments
            adStats = state.adStats
            // Upper bounds of the keys that are mostly distinct within a batch; the tables keyed
            // by day, chat or letter stay small and grow as they go.
            ledgerDeltas.reserveCapacity(counts.registrations + 2 * (counts.orders + counts.payments))
            changes.usersSeen.reserveCapacity(counts.userEvents)
            changes.contacts.reserveCapacity(counts.mails + counts.chats)
            changes.chatActiveContacts.reserveCapacity(counts.chats)
            changes.orders.reserveCapacity(counts.orders)
            changes.newOrderEvents.reserveCapacity(counts.orders)
            changes.payments.reserveCapacity(counts.payments)
            changes.adStats.reserveCapacity(counts.adStats)
            changes.adNames.reserveCapacity(counts.adStats)
            changes.registrations.reserveCapacity(counts.registrations)
            changes.aliasLinks.reserveCapacity(counts.identities)
            changes.learningFirsts.reserveCapacity(counts.learning)
            changes.activityMonths.reserveCapacity(counts.mails + counts.chats + counts.learning)
        }

        /// Folds one event into the states; returns why it cannot be applied, if so.
        mutating func absorb(_ event: Event) -> String? {
            let settings = processor.projects.settings(for: event.project)
            let day = localDate(of: event.occurredAt, in: settings.timeZone)
            let project = event.project
            let stamp = EventStamp(at: event.occurredAt, id: event.id)
            switch event.data {
            case .click(let click):
                var visit = FunnelMeasures()
                visit.visits = 1
                changes.funnel[FunnelKey(project: project, day: day,
                                         attribution: processor.attributionRules.attribution(of: click.utm)), default: FunnelMeasures()] += visit

            case .registration(let registration):
                let user = UserKey(project: project, userID: registration.userID)
                changes.usersSeen.insert(user)
                ledgerDeltas[UserDayKey(user: user, day: day), default: LedgerMeasures()] += LedgerMeasures(registrations: 1)
                let attribution = processor.attributionRules.attribution(of: registration.utm)
                changes.registrations.append(RegistrationRecord(
                    user: user, stamp: stamp, day: day, attribution: attribution, funnel: registration.funnel ?? ""))
                var state = users[user] ?? UserState()
                if state.firstRegistration.map({ stamp < $0.stamp }) ?? true {
                    state.firstRegistration = FirstRegistration(stamp: stamp, day: day, attribution: attribution)
                    users[user] = state
                }

            case .order(let order):
                guard processor.rates.rate(of: order.currency, in: settings.baseCurrency, on: day) != nil else {
                    return missingRate(order.currency, settings.baseCurrency, day)
                }
                let key = EntityKey(project: project, id: order.orderID)
                changes.usersSeen.insert(UserKey(project: project, userID: order.userID))
                let statusEvent = OrderStatusEvent(stamp: stamp, status: order.status)
                orderEvents[key, default: []].append(statusEvent)
                changes.newOrderEvents[key, default: []].append(statusEvent)
                if orders[key].map({ $0.latest < stamp }) ?? true {
                    orders[key] = OrderState(
                        latest: stamp, userID: order.userID, status: order.status, amount: order.amount,
                        currency: order.currency, product: order.product, offer: order.offer, managerID: order.managerID,
                        tags: order.tags, dealAttribution: processor.attributionRules.dealAttribution(of: order.utm),
                        createdAt: order.createdAt, createdDay: localDate(of: order.createdAt, in: settings.timeZone),
                        paidDay: nil)
                }
                if let managerID = order.managerID {
                    let manager = ManagerKey(project: project, managerID: managerID)
                    changes.managerNames[manager] = LatestName.latest(changes.managerNames[manager] ?? nil, order.managerName, at: stamp)
                }

            case .payment(let payment):
                let amount: DecimalNumber
                switch processor.rates.convert(payment.amount, from: payment.currency, to: settings.baseCurrency, on: day) {
                case .converted(let value): amount = value
                case .missingRate: return missingRate(payment.currency, settings.baseCurrency, day)
                case .tooLarge: return "data.amount: \(payment.amount) is too large to convert exactly"
                }
                let key = EntityKey(project: project, id: payment.paymentID)
                changes.usersSeen.insert(UserKey(project: project, userID: payment.userID))
                let fact = PaymentFact(stamp: stamp, status: payment.status, userID: payment.userID,
                                       orderID: payment.orderID, amount: amount, day: day)
                if payments[key] == nil {
                    payments[key] = PaymentState(fact)
                } else {
                    payments[key]!.absorb(fact)
                }

            case .mail(let mail):
                let user = UserKey(project: project, userID: mail.userID)
                changes.contacts.insert(user)
                let letter = LetterKey(project: project, channel: mail.channel, letterID: mail.letterID)
                changes.mailDaily[LetterDayKey(letter: letter, day: day), default: MailCounts()].count(mail.event)
                let recipient = RecipientKey(letter: letter, userID: mail.userID)
                switch mail.event {
                case .opened:
                    changes.firstOpens[recipient] = FirstTouch(at: event.occurredAt, day: day).earliest(changes.firstOpens[recipient])
                    changes.activityMonths.insert(ActivityMonthKey(user: user, month: day.monthStart, contact: true))
                case .clicked:
                    changes.firstClicks[recipient] = FirstTouch(at: event.occurredAt, day: day).earliest(changes.firstClicks[recipient])
                    changes.mailClicks.append(MailClick(user: user, stamp: stamp, channel: mail.channel, letterID: mail.letterID))
                    changes.activityMonths.insert(ActivityMonthKey(user: user, month: day.monthStart, contact: true))
                default:
                    break
                }

            case .chat(let chat):
                let user = UserKey(project: project, userID: chat.userID)
                changes.contacts.insert(user)
                let chatDay = ChatDayKey(project: project, chatID: chat.chatID, day: day)
                switch chat.kind {
                case .message:
                    changes.chatDaily[chatDay, default: ChatCounts()].messages += 1
                    changes.chatMembers.insert(ChatMemberKey(chatDay: chatDay, userID: chat.userID))
                    changes.chatActiveContacts.insert(user)
                    changes.activityMonths.insert(ActivityMonthKey(user: user, month: day.monthStart, contact: true))
                case .join:
                    changes.chatDaily[chatDay, default: ChatCounts()].joins += 1
                case .leave:
                    changes.chatDaily[chatDay, default: ChatCounts()].leaves += 1
                }

            // SPEC §4.15: identity and learning events add no users and do not move the project's
            // latest day, so they return before `lastDays`.
            case .identity(let identity):
                let alias = UserKey(project: project, userID: identity.alias)
                changes.aliasLinks[alias] = AliasLink(userID: identity.userID, stamp: stamp).earliest(changes.aliasLinks[alias])
                return nil

            case .learning(let learning):
                let user = UserKey(project: project, userID: learning.userID)
                let key = LearningKey(user: user, courseID: learning.courseID, lessonID: learning.lessonID ?? "",
                                      kind: learning.kind)
                changes.learningFirsts[key] = FirstLearning(stamp: stamp, day: day).earliest(changes.learningFirsts[key])
                changes.activityMonths.insert(ActivityMonthKey(user: user, month: day.monthStart, contact: false))
                return nil

            case .adStats(let stats):
                let spend: DecimalNumber
                switch processor.rates.convert(stats.cost, from: stats.currency, to: settings.baseCurrency, on: stats.day) {
                case .converted(let value): spend = value
                case .missingRate: return missingRate(stats.currency, settings.baseCurrency, stats.day)
                case .tooLarge: return "data.cost: \(stats.cost) is too large to convert exactly"
                }
                let key = AdStatsKey(project: project, network: stats.network, accountID: stats.accountID,
                                     campaignID: stats.campaignID, adID: stats.adID, day: stats.day)
                if adStats[key].map({ $0.stamp < stamp }) ?? true {
                    adStats[key] = AdStatsState(stamp: stamp, impressions: stats.impressions, clicks: stats.clicks, spend: spend)
                }
                changes.adNames[AdKey(project: project, network: stats.network, campaignID: stats.campaignID, adID: stats.adID),
                                default: AdNames()].absorb(stats, at: stamp)
            }
            changes.lastDays[project] = max(changes.lastDays[project] ?? day, day)
            return nil
        }

        func missingRate(_ currency: String, _ base: String, _ day: LocalDate) -> String {
            "\(BatchProcessor.missingRatePrefix) no \(currency)→\(base) rate on or before \(day) in fx_rates"
        }

        /// Turns the folded states into stored states and increments.
        mutating func finish() {
            finishOrders()
            finishPayments()
            finishAdStats()
            finishUsers()
            changes.userDaily.reserveCapacity(ledgerDeltas.count)
            for (key, delta) in ledgerDeltas where !delta.isZero {
                changes.userDaily[key, default: LedgerMeasures()] += delta
                let money = delta.money
                if !money.isZero {
                    changes.userMonthly[UserMonthKey(user: key.user, month: key.day.monthStart), default: MonthMoney()] += money
                }
                let attribution = (users[key.user] ?? UserState()).attribution
                changes.funnel[FunnelKey(project: key.user.project, day: key.day, attribution: attribution),
                               default: FunnelMeasures()] += FunnelMeasures(delta)
            }
            changes.funnel = changes.funnel.filter { !$0.value.isZero }
        }

        private mutating func addLedger(_ entries: [(UserDayKey, LedgerMeasures)], negated: Bool = false) {
            for (key, measures) in entries {
                ledgerDeltas[key, default: LedgerMeasures()] += negated ? -measures : measures
            }
        }

        private mutating func finishOrders() {
            for key in changes.newOrderEvents.keys {
                guard var order = orders[key] else { continue }
                let zone = processor.projects.settings(for: key.project).timeZone
                order.paidDay = order.status == .paid
                    ? Self.becamePaid(orderEvents[key] ?? []).map { localDate(of: $0.at, in: zone) } : nil
                if let old = stored.orders[key] { addLedger(old.ledger(project: key.project), negated: true) }
                addLedger(order.ledger(project: key.project))
                changes.orders[key] = order
            }
        }

        /// SPEC §4: the earliest `paid` event after the order's last non-`paid` event.
        static func becamePaid(_ events: [OrderStatusEvent]) -> EventStamp? {
            let lastNotPaid = events.filter { $0.status != .paid }.map(\.stamp).max()
            return events.filter { $0.status == .paid && lastNotPaid.map($0.stamp.greater) ?? true }.map(\.stamp).min()
        }

        private mutating func finishPayments() {
            for (key, payment) in payments where payment != stored.payments[key] {
                if let old = stored.payments[key] { addLedger(old.ledger(project: key.project), negated: true) }
                addLedger(payment.ledger(project: key.project))
                changes.payments[key] = payment
            }
        }

        private mutating func finishAdStats() {
            for (key, poll) in adStats where poll != stored.adStats[key] {
                var delta = poll.measures
                if let old = stored.adStats[key] { delta += -old.measures }
                let attribution = Attribution(network: key.network, campaignID: key.campaignID, adID: key.adID)
                changes.funnel[FunnelKey(project: key.project, day: key.day, attribution: attribution),
                               default: FunnelMeasures()] += delta
                changes.adStats[key] = poll
            }
        }

        /// Users whose first registration changed move their stored ledger to the new attribution
        /// and their "new user" to the new day.
        private mutating func finishUsers() {
            for (user, state) in users where state != stored.users[user] {
                changes.users[user] = state
                let before = stored.users[user] ?? UserState()
                guard before.firstRegistration != state.firstRegistration else { continue }
                if let oldDay = before.firstRegistration?.day {
                    changes.newUsers[ProjectDayKey(project: user.project, day: oldDay), default: 0] -= 1
                }
                if let newDay = state.firstRegistration?.day {
                    changes.newUsers[ProjectDayKey(project: user.project, day: newDay), default: 0] += 1
                }
                guard before.attribution != state.attribution else { continue }
                for (day, measures) in stored.ledgers[user] ?? [:] {
                    let moved = FunnelMeasures(measures)
                    changes.funnel[FunnelKey(project: user.project, day: day, attribution: before.attribution),
                                   default: FunnelMeasures()] += -moved
                    changes.funnel[FunnelKey(project: user.project, day: day, attribution: state.attribution),
                                   default: FunnelMeasures()] += moved
                }
            }
            changes.newUsers = changes.newUsers.filter { $0.value != 0 }
        }
    }
}

extension EventStamp {
    fileprivate func greater(_ other: EventStamp) -> Bool { other < self }
}
