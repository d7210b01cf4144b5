package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.sink.ClickHouseMigrator;
import io.sluice.sink.TelemetryWriter;
import io.sluice.testing.ClickHouseTestServer;

/** {@code query} and {@code report} against a real ClickHouse server: tables, JSON a machine reads, and refusals. */
class CliClickHouseIT {

    private static ClickHouseTestServer clickHouse;

    @BeforeAll
    static void start() throws Exception {
        clickHouse = ClickHouseTestServer.start();
        ClickHouseEndpoint endpoint = new ClickHouseEndpoint(clickHouse.url(), "default", "");
        ClickHouseMigrator.migrate(endpoint);
        long now = System.currentTimeMillis();
        try (TelemetryWriter writer = new TelemetryWriter(endpoint)) {
            writer.write(List.of(
                    TelemetryEvent.newBuilder().setDeviceId("cli-1").setTsMs(now - 1_000).setSeq(1L).setReceivedAtMs(now)
                            .setMetrics(Map.of("temperature", 21.5, "humidity", 40.0)).build(),
                    TelemetryEvent.newBuilder().setDeviceId("cli-2").setTsMs(now - 2_000).setSeq(null).setReceivedAtMs(now)
                            .setMetrics(Map.of("temperature", 19.0)).build()));
        }
    }

    @AfterAll
    static void stop() {
        clickHouse.close();
    }

    @Test
    void aQueryPrintsATableOrJsonAMachineReads() throws Exception {
        CliRun table = CliRun.of("query", "SELECT metric, count() AS readings FROM sluice.telemetry FINAL GROUP BY metric ORDER BY metric",
                "--clickhouse", clickHouse.url());
        assertEquals(0, table.status(), table.err());
        assertTrue(table.out().contains("temperature") && table.out().contains("│"), table.out());
        CliRun json = CliRun.of("query", "SELECT metric, count() AS readings FROM sluice.telemetry FINAL GROUP BY metric ORDER BY metric",
                "--format", "json", "--clickhouse", clickHouse.url());
        JsonNode data = new ObjectMapper().readTree(json.out()).get("data");
        assertEquals("humidity", data.get(0).get("metric").asText());
        assertEquals("temperature", data.get(1).get("metric").asText());
        assertEquals(2, data.get(1).get("readings").asLong());
    }

    @Test
    void whatClickHouseRefusesIsTheUsersMistakeInOneLine() {
        CliRun run = CliRun.of("query", "SELECT nothing FROM sluice.no_such_table", "--clickhouse", clickHouse.url());
        assertEquals(2, run.status());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().startsWith("sluice query: ClickHouse refused the query: Code: 60"), run.err());
    }

    @Test
    void aReportInJsonHasEverySectionWithItsRows() throws Exception {
        CliRun run = CliRun.of("report", "ingest", "--json", "--clickhouse", clickHouse.url());
        assertEquals(0, run.status(), run.err());
        JsonNode report = new ObjectMapper().readTree(run.out());
        assertEquals("ingest", report.get("report").asText());
        assertEquals(ReportCommand.sections(ReportCommand.Name.ingest).size(), report.get("sections").size());
        JsonNode perMetric = report.get("sections").get(1);
        assertEquals("Per metric", perMetric.get("title").asText());
        assertEquals("temperature", perMetric.get("rows").get(0).get("metric").asText(), perMetric.toString());
        assertEquals(2, perMetric.get("rows").get(0).get("devices").asLong());
    }
}
