package io.sluice.bridge;

import io.sluice.schemas.mqtt.PayloadRejection;

/** What became of one publish; decides the MQTT answer the device gets. */
public sealed interface IngestOutcome {

    /** Kafka acknowledged the readings: the device may be acknowledged. */
    record Accepted(int readings) implements IngestOutcome {
    }

    /** The publish broke the contract; Kafka acknowledged its dead-letter record. */
    record DeadLettered(PayloadRejection reason, String detail) implements IngestOutcome {
    }

    /** Nothing durable was written (Kafka failed, or the bridge is over its in-flight bound): do not acknowledge. */
    record NotWritten(String why) implements IngestOutcome {
    }
}
