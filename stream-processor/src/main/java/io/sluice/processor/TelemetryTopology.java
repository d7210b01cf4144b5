package io.sluice.processor;

import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

import io.sluice.schemas.kafka.Topics;

/**
 * The processing of telemetry, built in one place. Tests build the very same topology.
 *
 * <p>Raw telemetry, keyed by device id, is passed on to the telemetry topic the ClickHouse sink reads.
 * The device id stays the key, so each device's readings keep their order.
 */
public final class TelemetryTopology {

    private TelemetryTopology() {
    }

    public static Topology build(ProcessorConfig config) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(Topics.TELEMETRY_RAW.name(),
                        Consumed.with(Topics.TELEMETRY_RAW.keySerde(), Topics.TELEMETRY_RAW.valueSerde())
                                .withName("raw-telemetry"))
                .filter((deviceId, event) -> deviceId != null && event != null, Named.as("drop-keyless-and-tombstones"))
                .to(Topics.TELEMETRY.name(),
                        Produced.with(Topics.TELEMETRY.keySerde(), Topics.TELEMETRY.valueSerde()).withName("telemetry-out"));
        return builder.build();
    }
}
