/// How a batch locks the users whose figures it changes, with a bounded number of locks.
///
/// Row locks live in the rows, but every advisory lock takes a slot of PostgreSQL's shared lock
/// table, which holds `max_locks_per_transaction × (max_connections + max_prepared_transactions)`
/// locks for all sessions together: 6,400 on stock settings, 3,200 behind a pooler with 50
/// connections. A backlog batch names tens of thousands of users, so one lock per user ran the
/// server out of shared memory (SQLSTATE 53200). Users are therefore hashed into `buckets`
/// buckets, and a batch takes either
/// - `perUser`, when it names at most `perUserLimit` users: a shared lock on each of their
///   buckets and an exclusive lock per user (at most 2 × `perUserLimit` locks), so that two live
///   batches wait on each other only for a user they share; or
/// - `perBucket`, above that: an exclusive lock on each of their buckets (at most `buckets`).
///
/// Every exclusive bucket lock conflicts with the shared one of any batch holding a user of that
/// bucket, so both modes exclude each other exactly where they share a user. Locks are taken in
/// one global order (buckets ascending, then users' hashes ascending), so they cannot deadlock
/// among themselves. Bucket locks carry the state schema (`hashtext(schema)` as their first key),
/// so a rebuild's big batches never wait on the live workers; user locks keep the key of earlier
/// releases. A worker of a release before buckets takes no bucket lock, so while one still runs
/// beside this one, a `perBucket` batch does not exclude it: stop the old workers first.
enum UserLocking {
    /// How a batch locks its users.
    enum Mode: Equatable {
        case perUser
        case perBucket
    }

    /// Buckets users are hashed into; a power of two, so the bucket is the hash's low bits.
    static let buckets = 256
    /// Most distinct users a batch locks one by one.
    static let perUserLimit = 256

    /// The most advisory locks one batch holds, whatever it names.
    static var maximumLocks: Int { max(buckets, 2 * perUserLimit) }

    static func mode(forDistinctUsers count: Int) -> Mode {
        count <= perUserLimit ? .perUser : .perBucket
    }

    /// SQL for a user's bucket, over `k.project` and `k.user_id`.
    static var bucket: String {
        "(hashtextextended(k.project || chr(31) || k.user_id, 0) & \(buckets - 1))::int"
    }
}
