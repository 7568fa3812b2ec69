import CRdKafka

/// librdkafka's rebalance_cb: runs inside rd_kafka_consumer_poll / rd_kafka_consumer_close on the consumer's thread.
func rdKafkaRebalanceCallback(
    _ rk: OpaquePointer?, _ err: rd_kafka_resp_err_t,
    _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let rk, let context = RDKafkaClientContext.from(opaque), let state = context.consumerState else { return }
    let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
    let changed = RDKafkaTopicPartitionList.elements(of: partitions).map(\.0)
    let logger = context.logger

    switch err {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
        var offsets: [KafkaTopicPartition: Int64] = [:]
        do {
            offsets = try state.handler.onAssign(changed)
        } catch {
            // Without the stored offsets we cannot start safely; take nothing and let pollBatch report it.
            logger.error("onAssign failed; not consuming the assigned partitions", metadata: ["error": "\(error)"])
            state.pendingError = error
            if cooperative {
                // Nothing was added yet, so there is nothing to remove; leave the assignment unchanged.
            } else {
                rd_kafka_assign(rk, nil)
                state.assignment = []
            }
            return
        }
        if let partitions, let elems = partitions.pointee.elems {
            for index in 0..<Int(partitions.pointee.cnt) {
                let tp = KafkaTopicPartition(topic: String(cString: elems[index].topic), partition: elems[index].partition)
                // -2 is RD_KAFKA_OFFSET_BEGINNING: partitions the caller has no offset for start from the earliest record.
                elems[index].offset = offsets[tp] ?? -2
            }
        }
        if cooperative {
            if let error = rd_kafka_incremental_assign(rk, partitions) {
                logger.error("incremental assign failed", metadata: ["error": "\(KafkaError.consuming(error))"])
                return
            }
        } else {
            let result = rd_kafka_assign(rk, partitions)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.error("assign failed", metadata: ["error": "\(KafkaError.from(result))"])
                return
            }
            state.assignment = []
        }
        state.assignment.formUnion(changed)
        logger.info("partitions assigned", metadata: ["partitions": "\(changed.sorted())"])

    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
        state.handler.onRevoke(changed)
        let revoked = Set(changed)
        state.batch.removeAll { revoked.contains($0.topicPartition) }
        if cooperative {
            if let error = rd_kafka_incremental_unassign(rk, partitions) {
                logger.error("incremental unassign failed", metadata: ["error": "\(KafkaError.consuming(error))"])
            }
            state.assignment.subtract(revoked)
        } else {
            rd_kafka_assign(rk, nil)
            state.assignment = []
        }
        logger.info("partitions revoked", metadata: ["partitions": "\(changed.sorted())"])

    default:
        logger.error("rebalance error", metadata: ["error": "\(KafkaError.from(err))"])
        if !state.assignment.isEmpty { state.handler.onRevoke(state.assignment.sorted()) }
        state.batch.removeAll()
        rd_kafka_assign(rk, nil)
        state.assignment = []
    }
}
