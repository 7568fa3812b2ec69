import Foundation
import PipelineTestSupport
import Testing
@testable import Worker

/// The owner's batches start small after it takes the lease and double up to the configured most.
@Suite("batch ramp")
struct BatchRampTests {
    @Test("doubles from the first size to the most, never past it")
    func doubles() {
        var ramp = BatchRamp(first: 2_000, maximum: 20_000)
        var sizes: [Int] = []
        for _ in 0..<7 {
            sizes.append(ramp.current)
            ramp.grow()
        }
        #expect(sizes == [2_000, 4_000, 8_000, 16_000, 20_000, 20_000, 20_000])

        var uneven = BatchRamp(first: 3, maximum: 10)
        uneven.grow()
        #expect(uneven.current == 6)
        uneven.grow()
        #expect(uneven.current == 10)
    }

    @Test("a first size above the most, or below one, is brought within them")
    func bounded() {
        #expect(BatchRamp(first: 50_000, maximum: 20_000).current == 20_000)
        #expect(BatchRamp(first: 0, maximum: 20_000).current == 1)
        var single = BatchRamp(first: 1, maximum: 1)
        single.grow()
        #expect(single.current == 1)
    }

    @Test("the worker's first batches over a backlog hold the first size, then twice as many each")
    func workerRampsUp() throws {
        let harness = try WorkerHarness(partitions: 4)
        try harness.produce((0..<3_000).map {
            registrationJSON(id: "r\($0)", user: "u\($0)", at: "2026-04-03T12:00:00Z")
        })
        var configuration = harness.workerConfiguration(batch: 20_000)
        configuration.firstBatchMessages = 400
        var cumulative: [Int] = []
        let summary = try PipelineWorker(configuration: configuration, logger: harness.logger)
            .run(afterBatch: { cumulative.append($0.messages) })
        #expect(summary.applied == 3_000)
        // 400, then at most 800 more, then at most 1,600 more: three batches cannot hold all 3,000,
        // while a worker taking 20,000 at once applies them in one or two.
        let sizes = zip(cumulative, [0] + cumulative).map { $0 - $1 }
        #expect(sizes.count >= 4, "batch sizes \(sizes)")
        for (index, size) in sizes.enumerated() {
            #expect(size <= 400 << index, "batch \(index) held \(size) of at most \(400 << index): \(sizes)")
        }
    }
}
