import Testing
@testable import Worker

/// How many advisory locks a batch takes for its users, whatever it names.
@Suite struct UserLockingTests {
    @Test("up to 256 users are locked one by one, more by their 256 buckets")
    func modes() {
        #expect(UserLocking.mode(forDistinctUsers: 1) == .perUser)
        #expect(UserLocking.mode(forDistinctUsers: 256) == .perUser)
        #expect(UserLocking.mode(forDistinctUsers: 257) == .perBucket)
        #expect(UserLocking.mode(forDistinctUsers: 1_000_000) == .perBucket)
    }

    @Test("a batch holds at most 512 advisory locks: 256 shared buckets and 256 users")
    func bound() {
        #expect(UserLocking.maximumLocks == 512)
        // Far below the 3,200 slots of a stock lock table at 50 connections, with room for six such batches.
        #expect(UserLocking.maximumLocks * 6 < 64 * 50)
    }
}
