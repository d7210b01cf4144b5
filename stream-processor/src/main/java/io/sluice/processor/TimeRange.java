package io.sluice.processor;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The Kafka timestamps (when the bridge wrote a record) a processor handles, [from, to): the range a
 * replay rebuilds. Live processors run with the whole range and pass everything.
 */
public record TimeRange(long fromMs, long toMs) {

    public boolean contains(long timestamp) {
        return timestamp >= fromMs && timestamp < toMs;
    }

    /** A step passing on only the records in the range. */
    public <V> FixedKeyProcessorSupplier<String, V, V> filter() {
        return () -> new FixedKeyProcessor<>() {
            private FixedKeyProcessorContext<String, V> context;

            @Override
            public void init(FixedKeyProcessorContext<String, V> context) {
                this.context = context;
            }

            @Override
            public void process(FixedKeyRecord<String, V> record) {
                if (contains(record.timestamp())) {
                    context.forward(record);
                }
            }
        };
    }
}
