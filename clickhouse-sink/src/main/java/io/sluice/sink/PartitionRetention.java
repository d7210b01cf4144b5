package io.sluice.sink;

import io.sluice.clickhouse.ClickHouseQueries;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Retention by table: drops the day partitions ({@code PARTITION BY toYYYYMMDD(...)}) older than the
 * table's retention. ClickHouse 18.16 has no TTL, and dropping a whole partition is the cheap way on
 * any version: no mutation, no merge. Several sinks may run it at once: dropping a partition another
 * one dropped already does nothing.
 */
final class PartitionRetention {

    /** Keep {@code days} days of {@code table} (today included); 0 keeps everything. */
    record Rule(String table, int days) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(PartitionRetention.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

    private final ClickHouseQueries clickHouse;
    private final List<Rule> rules;
    private final MeterRegistry registry;

    PartitionRetention(ClickHouseQueries clickHouse, List<Rule> rules, MeterRegistry registry) {
        this.clickHouse = clickHouse;
        this.rules = List.copyOf(rules);
        this.registry = registry;
    }

    /** Applies every rule once, as of {@code today} (UTC); returns how many partitions it dropped. */
    int runOnce(LocalDate today) throws IOException, InterruptedException {
        int dropped = 0;
        for (Rule rule : rules) {
            if (rule.days() <= 0) {
                continue;
            }
            int oldestKept = Integer.parseInt(today.minusDays(rule.days() - 1L).format(DAY));
            for (String[] row : clickHouse.rows("SELECT DISTINCT partition FROM system.parts WHERE database = 'sluice'"
                    + " AND table = '" + rule.table() + "' AND active")) {
                String partition = row[0].replace("'", "");
                if (!partition.matches("\\d{8}") || Integer.parseInt(partition) >= oldestKept) {
                    continue;
                }
                clickHouse.text("ALTER TABLE sluice." + rule.table() + " DROP PARTITION " + partition);
                dropped++;
                Counter.builder("sluice.sink.partitions.dropped").description("Day partitions dropped by retention")
                        .tag("table", rule.table()).register(registry).increment();
                LOG.info("retention: dropped partition {} of sluice.{} (keeping {} days)", partition, rule.table(), rule.days());
            }
        }
        return dropped;
    }

    /** {@link #runOnce} for today, logging a failure instead of throwing: the next run tries again. */
    void run() {
        try {
            runOnce(LocalDate.now(ZoneOffset.UTC));
        } catch (IOException | RuntimeException e) {
            LOG.warn("retention run failed, trying again at the next one: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
