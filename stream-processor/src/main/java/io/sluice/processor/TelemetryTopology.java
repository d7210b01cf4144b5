package io.sluice.processor;

import java.time.Duration;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

import io.sluice.schemas.kafka.Topics;

/**
 * The processing of telemetry, built in one place. Tests build the very same topology.
 *
 * <p>Raw telemetry, keyed by device id, is deduplicated by natural key ({@link ReadingDeduplicator})
 * and passed on to the telemetry topic the ClickHouse sink reads. The device id stays the key, so
 * each device's readings keep their order.
 */
public final class TelemetryTopology {

    private TelemetryTopology() {
    }

    public static Topology build(ProcessorConfig config) {
        Duration dedupeWindow = Duration.ofMillis(config.getLong(ProcessorConfig.DEDUPE_WINDOW_MS));
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(ReadingDeduplicator.STORE, dedupeWindow, dedupeWindow, false),
                Serdes.String(), Serdes.Long()));
        builder.stream(Topics.TELEMETRY_RAW.name(),
                        Consumed.with(Topics.TELEMETRY_RAW.keySerde(), Topics.TELEMETRY_RAW.valueSerde())
                                .withName("raw-telemetry"))
                .filter((deviceId, event) -> deviceId != null && event != null, Named.as("drop-keyless-and-tombstones"))
                .processValues(() -> new ReadingDeduplicator(dedupeWindow), Named.as("dedupe-readings"), ReadingDeduplicator.STORE)
                .to(Topics.TELEMETRY.name(),
                        Produced.with(Topics.TELEMETRY.keySerde(), Topics.TELEMETRY.valueSerde()).withName("telemetry-out"));
        return builder.build();
    }
}
