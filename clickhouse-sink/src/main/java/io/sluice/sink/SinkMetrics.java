package io.sluice.sink;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The metrics of one sink loop, named in one place ({@code sluice_sink_*} in Prometheus, tagged with the table). */
final class SinkMetrics {

    private final Counter rows;
    private final Counter batches;
    private final Counter insertFailures;
    private final Counter poisonRecords;
    private final DistributionSummary batchRows;
    private final Timer insert;
    private final Timer endToEnd;

    SinkMetrics(MeterRegistry registry, String table) {
        rows = Counter.builder("sluice.sink.rows").description("Rows inserted into ClickHouse").tag("table", table)
                .register(registry);
        batches = Counter.builder("sluice.sink.batches").description("Batches inserted into ClickHouse").tag("table", table)
                .register(registry);
        insertFailures = Counter.builder("sluice.sink.insert.failures").description("Inserts that failed and will be retried")
                .tag("table", table).register(registry);
        poisonRecords = Counter.builder("sluice.sink.poison.records")
                .description("Kafka records that could not be decoded, skipped and logged").tag("table", table).register(registry);
        batchRows = DistributionSummary.builder("sluice.sink.batch.rows").description("Rows per inserted batch")
                .tag("table", table).register(registry);
        insert = Timer.builder("sluice.sink.insert").description("Time one batch insert took").tag("table", table)
                .publishPercentileHistogram().register(registry);
        endToEnd = Timer.builder("sluice.sink.end.to.end").description("Time from the bridge receiving the input to its insert")
                .tag("table", table).publishPercentileHistogram().register(registry);
    }

    void inserted(int rowCount, long nanos) {
        rows.increment(rowCount);
        batches.increment();
        batchRows.record(rowCount);
        insert.record(nanos, TimeUnit.NANOSECONDS);
    }

    void endToEnd(long millis) {
        endToEnd.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    void insertFailed() {
        insertFailures.increment();
    }

    void poison() {
        poisonRecords.increment();
    }
}
