package io.sluice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.sluice.testing.StackTemplates;

/** The Grafana dashboards of ops/grafana/dashboards, read and checked the way Grafana would need them. */
final class Dashboards {

    static final Path DIR = StackTemplates.root().resolve("ops/grafana/dashboards");
    /** The data source every panel names: the one Grafana is provisioned with. */
    static final String DATASOURCE_UID = "prometheus";

    /** One query of one panel. */
    record Panel(String dashboard, String title, String expr) {
    }

    private Dashboards() {
    }

    /** Every dashboard's panel queries, by file name; fails on a dashboard Grafana could not use. */
    static Map<String, List<Panel>> load() throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, List<Panel>> dashboards = new TreeMap<>();
        Set<String> uids = new HashSet<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                String name = file.getFileName().toString();
                JsonNode dashboard = json.readTree(file.toFile());
                assertTrue(uids.add(dashboard.path("uid").asText()), name + ": a unique uid");
                assertTrue(dashboard.path("uid").asText().matches("[a-z0-9-]{1,40}"), name + ": uid Grafana accepts");
                assertFalse(dashboard.path("title").asText().isBlank(), name + ": a title");
                assertTrue(dashboard.path("schemaVersion").asInt() >= 36, name + ": a current schema");
                dashboards.put(name, panels(name, dashboard));
            }
        }
        assertTrue(dashboards.keySet().containsAll(List.of("fleet-ingest.json", "pipeline.json", "clickhouse.json", "anomalies.json")),
                "the four dashboards: " + dashboards.keySet());
        return dashboards;
    }

    private static List<Panel> panels(String name, JsonNode dashboard) {
        List<Panel> panels = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        boolean[][] grid = new boolean[200][24];
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            String where = name + " / " + title;
            assertFalse(title.isBlank(), name + ": every panel has a title");
            assertTrue(ids.add(panel.path("id").asInt()), where + ": a unique id");
            assertEquals(DATASOURCE_UID, panel.path("datasource").path("uid").asText(), where + ": the provisioned data source");
            JsonNode at = panel.path("gridPos");
            int x = at.path("x").asInt(), y = at.path("y").asInt(), w = at.path("w").asInt(), h = at.path("h").asInt();
            assertTrue(w > 0 && h > 0 && x + w <= 24 && y + h <= grid.length, where + ": inside Grafana's 24-column grid");
            for (int row = y; row < y + h; row++) {
                for (int column = x; column < x + w; column++) {
                    assertFalse(grid[row][column], where + ": overlaps another panel");
                    grid[row][column] = true;
                }
            }
            Set<String> refIds = new HashSet<>();
            assertFalse(panel.path("targets").isEmpty(), where + ": at least one query");
            for (JsonNode target : panel.path("targets")) {
                assertTrue(refIds.add(target.path("refId").asText()), where + ": unique query ids");
                assertEquals(DATASOURCE_UID, target.path("datasource").path("uid").asText(), where + ": the provisioned data source");
                String expr = target.path("expr").asText();
                assertFalse(expr.isBlank(), where + ": a PromQL expression");
                assertFalse(expr.contains("instance=\"") || expr.contains("by (instance"), where
                        + ": Sluice's series carry replica, not instance");
                panels.add(new Panel(name, title, expr));
            }
        }
        assertFalse(panels.isEmpty(), name + ": panels");
        return panels;
    }

    /** The data source Grafana is provisioned with in docker-compose has the uid the panels name. */
    static String provisionedDatasourceUid() throws IOException {
        Path file = StackTemplates.root().resolve("ops/grafana/provisioning/datasources/prometheus.yml");
        JsonNode sources = new ObjectMapper(new YAMLFactory()).readTree(file.toFile()).path("datasources");
        return sources.path(0).path("uid").asText();
    }
}
