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
import io.sluice.schemas.clickhouse.ClickHouseMigrations.Dialect;

/**
 * Retention by table. The portable tables ({@code PARTITION BY toYYYYMMDD(...)}; ClickHouse 18.16 has no TTL): the day
 * partitions older than the table's retention are dropped, the cheap way on any version (no mutation, no merge); several
 * sinks may run it at once, as dropping a partition another one dropped already does nothing. The current tables
 * carry a TTL over whole parts ({@code ttl_only_drop_parts}), which the server applies by itself: the sink only sets its
 * days to the configured retention when they differ ({@code MODIFY TTL}), or removes it for 0.
 */
final class PartitionRetention {

    /** Keep {@code days} days of {@code table} (today included); 0 keeps everything. */
    record Rule(String table, int days) {
    }

    /** The epoch-millisecond column each current table's TTL counts from (the one its migration's TTL names). */
    private static final java.util.Map<String, String> TTL_TIME = java.util.Map.of("telemetry", "ts_ms", "rejected",
            "received_at_ms", "device_sessions", "ts_ms", "telemetry_1m", "window_start_ms", "telemetry_1h", "window_start_ms",
            "anomalies", "ts_ms");
    private static final java.util.regex.Pattern TTL_DAYS = java.util.regex.Pattern.compile("toIntervalDay\\((\\d+)\\)");

    private static final Logger LOG = LoggerFactory.getLogger(PartitionRetention.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

    private final ClickHouseQueries clickHouse;
    private final List<Rule> rules;
    private final MeterRegistry registry;
    private final Dialect dialect;

    PartitionRetention(ClickHouseQueries clickHouse, List<Rule> rules, MeterRegistry registry, Dialect dialect) {
        this.clickHouse = clickHouse;
        this.rules = List.copyOf(rules);
        this.registry = registry;
        this.dialect = dialect;
    }

    /** Applies every rule once, as of {@code today} (UTC); returns how many partitions (portable) or TTLs (current) it changed. */
    int runOnce(LocalDate today) throws IOException, InterruptedException {
        if (dialect == Dialect.CURRENT) {
            return setTtls();
        }
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

    private int setTtls() throws IOException, InterruptedException {
        int changed = 0;
        for (Rule rule : rules) {
            String engine = clickHouse.text("SELECT engine_full FROM system.tables WHERE database = 'sluice' AND name = '"
                    + rule.table() + "'");
            java.util.regex.Matcher days = TTL_DAYS.matcher(engine);
            Integer current = days.find() ? Integer.valueOf(days.group(1)) : null;
            if (rule.days() <= 0 && current != null) {
                clickHouse.text("ALTER TABLE sluice." + rule.table() + " REMOVE TTL");
            } else if (rule.days() > 0 && (current == null || current != rule.days())) {
                clickHouse.text("ALTER TABLE sluice." + rule.table() + " MODIFY TTL toDateTime(intDiv(" + TTL_TIME.get(rule.table())
                        + ", 1000), 'UTC') + INTERVAL " + rule.days() + " DAY");
            } else {
                continue;
            }
            changed++;
            LOG.info("retention: sluice.{} now keeps {} (TTL over whole parts)", rule.table(),
                    rule.days() <= 0 ? "everything" : rule.days() + " days");
        }
        return changed;
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
