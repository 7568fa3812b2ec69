/// What the rebalance callback updates while pollBatch runs; lives only on the consumer's polling thread.
final class RDKafkaConsumerState {
    let handler: KafkaRebalanceHandler
    var assignment: Set<KafkaTopicPartition> = []
    /// Messages of the pollBatch in progress; the rebalance callback drops those of revoked partitions.
    var batch: [KafkaMessage] = []
    /// An error thrown by `onAssign`, rethrown by the pollBatch during which it happened.
    var pendingError: (any Error)?

    init(handler: KafkaRebalanceHandler) {
        self.handler = handler
    }
}
