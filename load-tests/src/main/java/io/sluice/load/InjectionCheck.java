package io.sluice.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.sluice.clickhouse.ClickHouseQueries;

/**
 * Matches a run's injected anomalies against {@code sluice.anomalies}: an injection is caught when its
 * device has an anomaly of the expected detector (on the injected metric, or any metric for "*") at
 * or after the injection began and within a minute of its end. Anomalies on devices of the run that
 * got no injection, detected while the run was publishing, are false alarms (a fleet that stops
 * publishing goes silent afterwards, rightly: those are not counted).
 */
public record InjectionCheck(int injected, int caught, List<String> missed, long falseAlarms, Map<String, Long> byDetector) {

    static InjectionCheck against(ClickHouseQueries clickHouse, FleetOptions options, List<LiveInjection.Planned> plan,
                                  long runStartMs, long runEndMs) throws IOException, InterruptedException {
        List<String[]> rows = clickHouse.rows("SELECT device_id, metric, detector, ts_ms, detected_at_ms FROM sluice.anomalies FINAL"
                + " WHERE device_id LIKE '" + options.runId() + "-%' AND detected_at_ms >= " + runStartMs);
        Set<String> injectedDevices = new HashSet<>();
        int caught = 0;
        List<String> missed = new ArrayList<>();
        int happened = 0;
        for (LiveInjection.Planned planned : plan) {
            injectedDevices.add(planned.deviceId);
            if (!planned.happened()) {
                continue;
            }
            happened++;
            boolean found = rows.stream().anyMatch(row -> row[0].equals(planned.deviceId)
                    && planned.kind.catchers.contains(row[2])
                    && (planned.kind.metric.equals("*") || row[1].equals(planned.kind.metric))
                    && Long.parseLong(row[3]) >= planned.startMs() - 1_000
                    && Long.parseLong(row[3]) <= planned.endMs() + 60_000);
            if (found) {
                caught++;
            } else {
                missed.add(planned.kind + " on " + planned.deviceId);
            }
        }
        long falseAlarms = 0;
        Map<String, Long> byDetector = new LinkedHashMap<>();
        for (String[] row : rows) {
            byDetector.merge(row[2], 1L, Long::sum);
            if (!injectedDevices.contains(row[0]) && Long.parseLong(row[4]) <= runEndMs) {
                falseAlarms++;
            }
        }
        return new InjectionCheck(happened, caught, missed, falseAlarms, byDetector);
    }
}
