package io.sluice.load;

import java.io.IOException;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

import io.sluice.clickhouse.ClickHouseQueries;

/**
 * Checks every acknowledged reading of a fleet run against ClickHouse: per device and per sequence
 * number, each of the metrics a message carried must be stored once in {@code FINAL} queries.
 *
 * @param acknowledged readings the bridges acknowledged
 * @param stored       readings of this run found in ClickHouse (FINAL)
 * @param lost         acknowledged readings missing from ClickHouse
 * @param duplicated   readings stored more than once in FINAL queries (natural key seen twice)
 * @param rawRows      rows of this run before deduplication (retransmissions show here, not in FINAL)
 */
public record LossCheck(long acknowledged, long stored, long lost, long duplicated, long rawRows) {

    /**
     * Waits until ClickHouse holds every acknowledged reading (or the timeout passes), then counts. The count of rows
     * reaching the acknowledged count is not enough: readings a killed bridge forwarded without acknowledging them count
     * too, while acknowledged ones retransmitted to another bridge may still be on their way; so a check that finds some
     * missing looks again until none is or the timeout passes.
     */
    public static LossCheck against(ClickHouseQueries clickHouse, FleetResult result, Duration timeout)
            throws IOException, InterruptedException {
        String run = "device_id LIKE '" + result.options().runId() + "-%'";
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline
                && clickHouse.number("SELECT count() FROM sluice.telemetry FINAL WHERE " + run) < result.ackedReadings()) {
            Thread.sleep(200);
        }
        LossCheck check = count(clickHouse, result, run);
        while (check.lost() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            check = count(clickHouse, result, run);
        }
        return check;
    }

    private static LossCheck count(ClickHouseQueries clickHouse, FleetResult result, String run) throws IOException, InterruptedException {
        // A JSON reading is known by its sequence number; a SenML one (no sequence number) by its time.
        boolean bySeq = result.options().format() == FleetOptions.PayloadFormat.JSON;
        Map<String, Map<Long, Integer>> storedPerDevice = new HashMap<>();
        long[] storedAndDuplicated = new long[2];
        clickHouse.read("SELECT device_id, " + (bySeq ? "seq" : "ts_ms") + ", count(), uniqExact(metric) FROM sluice.telemetry"
                + " FINAL WHERE " + run + " GROUP BY device_id, " + (bySeq ? "seq" : "ts_ms"), row -> {
                    long count = row.integer(3);
                    int distinct = (int) row.integer(4);
                    storedPerDevice.computeIfAbsent(row.string(1), d -> new HashMap<>()).put(row.integer(2), distinct);
                    storedAndDuplicated[0] += count;
                    storedAndDuplicated[1] += count - distinct;
                });
        long stored = storedAndDuplicated[0];
        long duplicated = storedAndDuplicated[1];
        long lost = 0;
        for (Map.Entry<String, BitSet> device : result.ackedSeqs().entrySet()) {
            Map<Long, Integer> storedKeys = storedPerDevice.getOrDefault(device.getKey(), Map.of());
            long[] times = result.readingTimes().get(device.getKey());
            BitSet acked = device.getValue();
            for (int seq = acked.nextSetBit(0); seq >= 0; seq = acked.nextSetBit(seq + 1)) {
                long key = bySeq ? seq : times[seq];
                lost += result.readingsPerMessage() - Math.min(result.readingsPerMessage(), storedKeys.getOrDefault(key, 0));
            }
        }
        long rawRows = clickHouse.number("SELECT count() FROM sluice.telemetry WHERE " + run);
        return new LossCheck(result.ackedReadings(), stored, lost, duplicated, rawRows);
    }

    public boolean exact() {
        return lost == 0 && duplicated == 0;
    }
}
