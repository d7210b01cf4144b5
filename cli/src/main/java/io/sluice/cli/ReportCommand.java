package io.sluice.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.sluice.clickhouse.ClickHouseQueries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code sluice report ingest|devices|anomalies}: the questions asked most, as named reports over the last hours, exact
 * ({@code FINAL}). Each report is a list of titled queries, written once here; text output prints each as a table, JSON
 * output is one document of every section's rows.
 */
@Command(name = "report", header = "Named reports: ingest, devices, anomalies",
        sortOptions = false, description = {
        "Named reports on the stack's ClickHouse, exact (FINAL), over the last hours:",
        "  ingest     readings per minute and per metric, what was refused and why, device-to-bridge delay",
        "  devices    each device's readings, last reading, connections and how they ended",
        "  anomalies  anomalies by detector and severity, the most anomalous devices, the latest 20"})
final class ReportCommand implements Callable<Integer> {

    enum Name { ingest, devices, anomalies }

    /** One titled query of a report; {@code SINCE} stands for the report's start. */
    record Section(String title, String sql) {
    }

    @Parameters(paramLabel = "REPORT", description = "ingest, devices or anomalies")
    Name name;

    @Option(names = "--hours", paramLabel = "N", defaultValue = "1", description = "how many hours back (default: ${DEFAULT-VALUE})")
    int hours;

    @Option(names = "--json", description = "print one JSON document (every section's rows) instead of tables")
    boolean json;

    @Mixin
    StackOptions stack;

    @Spec
    CommandSpec spec;

    static List<Section> sections(Name name) {
        return switch (name) {
            case ingest -> List.of(
                    new Section("Readings stored per minute (by reading time)",
                            "SELECT toStartOfMinute(ts) AS minute, count() AS readings, uniqExact(device_id) AS devices,"
                                    + " round(count() / 60, 1) AS per_second FROM sluice.telemetry FINAL WHERE ts > SINCE"
                                    + " GROUP BY minute ORDER BY minute DESC LIMIT 60"),
                    new Section("Per metric",
                            "SELECT metric, count() AS readings, uniqExact(device_id) AS devices, round(min(value), 3) AS min,"
                                    + " round(avg(value), 3) AS avg, round(max(value), 3) AS max FROM sluice.telemetry FINAL"
                                    + " WHERE ts > SINCE GROUP BY metric ORDER BY readings DESC"),
                    new Section("Refused, by source and reason",
                            "SELECT source, reason, count() AS refused, uniqExact(device_id) AS devices, any(detail) AS example"
                                    + " FROM sluice.rejected FINAL WHERE received_at > SINCE GROUP BY source, reason ORDER BY refused DESC"),
                    new Section("Delay from reading time to a bridge receiving it (p50), and the newest reading stored",
                            "SELECT count() AS readings, round(quantile(0.5)(received_at_ms - ts_ms)) AS device_to_bridge_p50_ms,"
                                    + " max(ts) AS newest_reading FROM sluice.telemetry FINAL WHERE ts > SINCE"));
            case devices -> List.of(
                    new Section("Devices: readings, last reading, connections and how they ended",
                            "SELECT t.device_id AS device, t.readings, t.metrics, t.last_reading, s.connects, s.lost, s.refused"
                                    + " FROM (SELECT device_id, count() AS readings, uniqExact(metric) AS metrics, max(ts) AS last_reading"
                                    + " FROM sluice.telemetry FINAL WHERE ts > SINCE GROUP BY device_id) AS t ANY LEFT JOIN"
                                    + " (SELECT device_id, countIf(event = 'CONNECTED') AS connects,"
                                    + " countIf(event = 'DISCONNECTED' AND reason NOT IN ('NORMAL', 'SERVER_SHUTDOWN')) AS lost,"
                                    + " countIf(event = 'REFUSED') AS refused FROM sluice.device_sessions FINAL WHERE ts > SINCE"
                                    + " GROUP BY device_id) AS s USING device_id ORDER BY t.last_reading ASC LIMIT 100"),
                    new Section("Connection events by reason",
                            "SELECT event, reason, count() AS events, uniqExact(device_id) AS devices FROM sluice.device_sessions"
                                    + " FINAL WHERE ts > SINCE GROUP BY event, reason ORDER BY events DESC"));
            case anomalies -> List.of(
                    new Section("Anomalies raised, by detector and severity",
                            "SELECT detector, severity, count() AS anomalies, uniqExact(device_id) AS devices,"
                                    + " uniqExact(metric) AS metrics FROM sluice.anomalies FINAL WHERE ts > SINCE"
                                    + " GROUP BY detector, severity ORDER BY anomalies DESC"),
                    new Section("Most anomalous devices",
                            "SELECT device_id AS device, count() AS anomalies, groupUniqArray(detector) AS detectors,"
                                    + " countIf(severity = 'CRITICAL') AS critical, max(ts) AS latest FROM sluice.anomalies FINAL"
                                    + " WHERE ts > SINCE GROUP BY device_id ORDER BY anomalies DESC LIMIT 20"),
                    new Section("Latest 20",
                            "SELECT ts, device_id AS device, metric, detector, severity, round(value, 3) AS value,"
                                    + " round(expected, 3) AS expected, round(score, 2) AS score, detail FROM sluice.anomalies FINAL"
                                    + " WHERE ts > SINCE ORDER BY ts_ms DESC LIMIT 20"));
        };
    }

    @Override
    public Integer call() throws Exception {
        if (hours < 1) {
            throw new UserError("--hours must be a positive whole number, got " + hours);
        }
        ClickHouseQueries clickHouse = new ClickHouseQueries(stack.clickHouse());
        String since = "now() - " + hours * 3600L;
        var out = spec.commandLine().getOut();
        ObjectMapper mapper = new ObjectMapper();
        List<Map<String, Object>> document = new ArrayList<>();
        for (Section section : sections(name)) {
            String sql = section.sql().replace("SINCE", since);
            if (json) {
                List<JsonNode> rows = new ArrayList<>();
                for (String line : QueryCommand.run(clickHouse, sql, "JSONEachRow").split("\n")) {
                    if (!line.isBlank()) {
                        rows.add(mapper.readTree(line));
                    }
                }
                Map<String, Object> part = new LinkedHashMap<>();
                part.put("title", section.title());
                part.put("rows", rows);
                document.add(part);
            } else {
                out.println(section.title() + ", last " + hours + " h:");
                String table = QueryCommand.run(clickHouse, sql, "PrettyCompactNoEscapes");
                out.print(table.isBlank() ? "  (none)\n" : table);
            }
        }
        if (json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("report", name.name());
            report.put("hours", hours);
            report.put("sections", document);
            out.println(mapper.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        }
        out.flush();
        return 0;
    }
}
