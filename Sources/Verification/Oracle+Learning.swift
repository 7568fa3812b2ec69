import Events

/// SPEC §4.13: learning (`learning_daily`, `course_progress`, `webinar_conversion`), recomputed from
/// the distinct learning events and the payments' first accepted instants.
extension Oracle {
    /// A lesson of a project: `(course_id, lesson_id)`, the lesson id `''` when the event has none.
    package struct Lesson: Hashable, Comparable {
        let project, course, lesson: String
        package static func < (l: Lesson, r: Lesson) -> Bool { (l.project, l.course, l.lesson) < (r.project, r.course, r.lesson) }
    }

    /// The learning events with their lesson. Learning user ids are never resolved (§4.12 names only
    /// chat and mail events).
    private func learningEvents() -> [(event: Event, learning: Learning, lesson: Lesson)] {
        resolved.compactMap { e in
            guard case .learning(let l) = e.data else { return nil }
            return (e, l, Lesson(project: e.project, course: l.courseID, lesson: l.lessonID ?? ""))
        }
    }

    /// Per (lesson, kind): each user's first instant of that kind for that lesson.
    private func firstLearning() -> [Lesson: [LearningKind: [String: Instant]]] {
        var result: [Lesson: [LearningKind: [String: Instant]]] = [:]
        for (e, l, lesson) in learningEvents() {
            if let current = result[lesson]?[l.kind]?[l.userID], current <= e.occurredAt { continue }
            result[lesson, default: [:]][l.kind, default: [:]][l.userID] = e.occurredAt
        }
        return result
    }

    /// Accepted payments per (project, user of the first accepted event): instant and gross revenue.
    private func acceptedByUser() -> [UserKey: [Accepted]] {
        var result: [UserKey: [Accepted]] = [:]
        for (_, payment) in model.payments {
            guard let a = payment.accepted else { continue }
            result[UserKey(project: payment.project, user: a.user), default: []].append(a)
        }
        return result
    }

    package func learningDaily() -> [Row] {
        struct Key: Hashable { let lesson: Lesson; let day: LocalDate }
        let columns: [LearningKind: String] = [
            .lessonOpened: "opened", .lessonCompleted: "completed", .homeworkSubmitted: "homework_submitted",
            .homeworkAccepted: "homework_accepted", .webinarAttended: "attended",
        ]
        var counts: [Key: [LearningKind: Int]] = [:]
        for (lesson, kinds) in firstLearning() {
            for (kind, users) in kinds {
                for (_, first) in users {
                    counts[Key(lesson: lesson, day: day(first, lesson.project)), default: [:]][kind, default: 0] += 1
                }
            }
        }
        return counts.sorted { ($0.key.lesson, $0.key.day) < ($1.key.lesson, $1.key.day) }.map { key, c in
            var row: Row = [
                "project": key.lesson.project, "course_id": key.lesson.course, "lesson_id": key.lesson.lesson,
                "day": key.day.description,
            ]
            for kind in LearningKind.allCases { row[columns[kind]!] = String(c[kind] ?? 0) }
            return row
        }
    }

    package func courseProgress() -> [Row] {
        struct Course: Hashable, Comparable {
            let project, course: String
            static func < (l: Course, r: Course) -> Bool { (l.project, l.course) < (r.project, r.course) }
        }
        var start: [Course: [String: Instant]] = [:]          // student → first learning instant of the course
        var lessons: [Course: Set<String>] = [:]
        var completed: [Course: [String: Set<String>]] = [:]  // student → lessons completed
        for (e, l, _) in learningEvents() {
            let course = Course(project: e.project, course: l.courseID)
            if let current = start[course]?[l.userID], current <= e.occurredAt {} else {
                start[course, default: [:]][l.userID] = e.occurredAt
            }
            guard let lesson = l.lessonID, !lesson.isEmpty else { continue }
            if l.kind == .lessonOpened || l.kind == .lessonCompleted { lessons[course, default: []].insert(lesson) }
            if l.kind == .lessonCompleted { completed[course, default: [:]][l.userID, default: []].insert(lesson) }
        }
        let paid = acceptedByUser()
        return start.sorted { $0.key < $1.key }.map { course, students in
            let courseLessons = lessons[course] ?? []
            let completers = courseLessons.isEmpty ? 0 : students.keys.filter { student in
                courseLessons.isSubset(of: completed[course]?[student] ?? [])
            }.count
            var payers = 0
            var revenue: DecimalNumber = 0
            for (student, first) in students {
                // Strictly after the student's first learning event of the course; each payment once.
                let after = (paid[UserKey(project: course.project, user: student)] ?? []).filter { $0.at > first }
                if !after.isEmpty { payers += 1 }
                for a in after { revenue += a.amount }
            }
            return [
                "project": course.project, "course_id": course.course, "students": String(students.count),
                "lessons": String(courseLessons.count), "completers": String(completers),
                "completion_rate": Self.ratio(DecimalNumber(completers), DecimalNumber(students.count)),
                "payers_after_start": String(payers), "revenue_after_start": Self.num(revenue),
            ]
        }
    }

    package func webinarConversion() -> [Row] {
        let week: Int64 = 7 * 24 * 3600 * 1_000_000
        let paid = acceptedByUser()
        var rows: [Row] = []
        for (lesson, kinds) in firstLearning().sorted(by: { $0.key < $1.key }) {
            guard let attendance = kinds[.webinarAttended], !attendance.isEmpty else { continue }
            var buyers = 0
            var revenue: DecimalNumber = 0
            for (user, first) in attendance {
                // (first attendance, first attendance + 7 × 24 h]: strictly after, the end inclusive.
                let within = (paid[UserKey(project: lesson.project, user: user)] ?? []).filter {
                    $0.at > first && first.microseconds(to: $0.at) <= week
                }
                if !within.isEmpty { buyers += 1 }
                for a in within { revenue += a.amount }
            }
            rows.append([
                "project": lesson.project, "course_id": lesson.course, "lesson_id": lesson.lesson,
                "attendees": String(attendance.count), "buyers_7d": String(buyers), "revenue_7d": Self.num(revenue),
            ])
        }
        return rows
    }
}
