import CRdKafka

// The callbacks a client of each kind installs before it is created.
extension RDKafkaConfig {
    /// Delivery reports go to `rdKafkaDeliveryCallback`, which completes the sender's token.
    func setDeliveryReportCallback() {
        withPointer { rd_kafka_conf_set_dr_msg_cb($0, rdKafkaDeliveryCallback) }
    }

    /// Rebalances go to `rdKafkaRebalanceCallback`, which runs the consumer's handler.
    func setRebalanceCallback() {
        withPointer { rd_kafka_conf_set_rebalance_cb($0, rdKafkaRebalanceCallback) }
    }
}
