package io.sluice.processor;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Readings this replica took from each input partition: the per-partition rates a replica reports as
 * metrics ({@code sluice_processor_partition_readings_total{partition=...}}), so that a skewed
 * partition shows up next to the replica that carries it.
 */
public final class PartitionActivity {

    private final Map<Integer, LongAdder> readings = new ConcurrentHashMap<>();
    private final java.util.function.IntConsumer onNewPartition;

    public PartitionActivity(java.util.function.IntConsumer onNewPartition) {
        this.onNewPartition = onNewPartition;
    }

    public static PartitionActivity unobserved() {
        return new PartitionActivity(partition -> { });
    }

    public void record(int partition, int count) {
        LongAdder adder = readings.get(partition);
        if (adder == null) {
            adder = readings.computeIfAbsent(partition, p -> new LongAdder());
            onNewPartition.accept(partition);
        }
        adder.add(count);
    }

    public long readings(int partition) {
        LongAdder adder = readings.get(partition);
        return adder == null ? 0 : adder.sum();
    }
}
