import Events

// Chats: the webinar's Telegram chat (people who talk there buy more often) and the students' chat
// paying students join.
extension DemoSchool {
    /// Some users join the webinar chat after signing up; those who write there are chat-active.
    mutating func joinWebinarChat(_ index: Int) {
        let user = users[index]
        guard random.chance(0.35) else { return }
        let joined = user.registeredAt + random.int(300...5_400)
        chat(Self.webinarChat, at: joined, user: user.id, kind: .join)
        if random.chance(0.55) {
            users[index].chatActive = true
            for _ in 0..<random.int(1...8) {
                chat(Self.webinarChat, at: joined + random.int(60...10 * 86_400), user: user.id, kind: .message)
            }
        }
        if random.chance(0.12) { chat(Self.webinarChat, at: joined + random.int(3_600...12 * 86_400), user: user.id, kind: .leave) }
    }

    mutating func joinStudentsChat(_ user: String, at joined: Int) {
        chat(Self.studentsChat, at: joined, user: user, kind: .join)
        for _ in 0..<random.int(2...12) {
            chat(Self.studentsChat, at: joined + random.int(120...14 * 86_400), user: user, kind: .message)
        }
        if random.chance(0.04) { chat(Self.studentsChat, at: joined + random.int(86_400...7 * 86_400), user: user, kind: .leave) }
    }

    mutating func chat(_ chatID: String, at: Int, user: String, kind: ChatKind) {
        guard at < periodEnd else { return }
        chatActions.append(ChatAction(chat: chatID, at: at, user: user, kind: kind))
    }

    /// Telegram numbers a chat's messages (joins and leaves are service messages) in time order.
    mutating func generateChats() {
        for chatID in [Self.webinarChat, Self.studentsChat] {
            let actions = chatActions.enumerated().filter { $0.element.chat == chatID }
                .sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }
            for (number, action) in actions.map(\.element).enumerated() {
                let messageID = String(1_000 + number)
                emit(id: "telegram:\(chatID):\(messageID)", source: "telegram", at: action.at,
                     .chat(Chat(chatID: chatID, messageID: messageID, userID: action.user, kind: action.kind)))
            }
        }
    }
}
