package io.sluice.processor;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Passes on only records whose Kafka timestamp (when the bridge wrote them) lies in [from, to): the
 * range a replay rebuilds. Live processors run with the whole range and pass everything.
 */
final class TimeRange<V> implements FixedKeyProcessor<String, V, V> {

    private final long fromMs;
    private final long toMs;
    private FixedKeyProcessorContext<String, V> context;

    TimeRange(long fromMs, long toMs) {
        this.fromMs = fromMs;
        this.toMs = toMs;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, V> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, V> record) {
        if (record.timestamp() >= fromMs && record.timestamp() < toMs) {
            context.forward(record);
        }
    }
}
