package io.sluice.ops;

import static io.sluice.ops.ComposeFile.service;
import static io.sluice.ops.ComposeFile.serviceBuilding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Prometheus and Grafana under docker-compose: every Sluice replica scraped, HAProxy and ClickHouse through their own
 * exporters, Grafana provisioned with the Prometheus data source and the dashboards of ops/grafana/dashboards.
 */
class ComposeMonitoringTest {

    /** Prometheus' LTS releases still supported (prometheus.io, release cycle: one year each). */
    private static final Set<String> PROMETHEUS_LTS = Set.of(
            "3.13"); // until 2027-07 (3.5 ended 2026-07-31)

    private static final String CONFIG = "ops/prometheus/prometheus-compose.yml";

    private static JsonNode prometheusConfig() {
        return ComposeFile.yaml(CONFIG);
    }

    private static Map<String, JsonNode> jobs() {
        Map<String, JsonNode> jobs = new TreeMap<>();
        prometheusConfig().path("scrape_configs").forEach(job -> jobs.put(job.path("job_name").asText(), job));
        return jobs;
    }

    @Test
    void prometheusIsAPinnedLtsReleaseReadingTheComposeConfig() {
        JsonNode prometheus = service("prometheus");
        String tag = ComposeFile.tag(prometheus);
        assertTrue(tag.matches("v\\d+\\.\\d+\\.\\d+"), "a release tag: " + tag);
        assertTrue(PROMETHEUS_LTS.contains(tag.replaceAll("^v(\\d+\\.\\d+).*", "$1")), tag + " is not an LTS " + PROMETHEUS_LTS);
        String[] mount = ComposeFile.mountOf(prometheus, "./ops/prometheus")
                .orElseThrow(() -> new AssertionError("prometheus mounts ./ops/prometheus"));
        assertEquals("ro", mount.length == 3 ? mount[2] : "");
        List<String> command = new ArrayList<>();
        prometheus.path("command").forEach(a -> command.add(a.asText()));
        assertTrue(command.contains("--config.file=" + mount[1] + "/prometheus-compose.yml"), "reads " + CONFIG + ": " + command);
        assertTrue(ComposeFile.mountOf(prometheus, "prometheus-data").isPresent(), "its data in a volume");
        List<String> ports = new ArrayList<>();
        prometheus.path("ports").forEach(p -> ports.add(p.asText()));
        assertEquals(List.of("127.0.0.1:9090:9090"), ports);
    }

    @Test
    void theAlertRulesAreTheOnesNextToTheConfig() {
        List<String> rules = new ArrayList<>();
        prometheusConfig().path("rule_files").forEach(r -> rules.add(r.asText()));
        assertEquals(List.of("alerts.yml"), rules, "relative to the config, so in the same mounted directory");
        assertTrue(Files.exists(ComposeFile.ROOT.resolve("ops/prometheus/alerts.yml")), "ops/prometheus/alerts.yml");
        assertTrue(ComposeFile.yaml("ops/prometheus/alerts.yml").path("groups").isArray(), "alerts.yml holds rule groups");
    }

    @Test
    void everyReplicaOfEverySluiceServiceIsScraped() {
        Map<String, String> jobOf = Map.of("mqtt-bridge", "sluice-bridge", "stream-processor", "sluice-processor",
                "clickhouse-sink", "sluice-sink");
        Map<String, JsonNode> jobs = jobs();
        for (ComposeFile.SluiceService sluice : ComposeFile.SLUICE_SERVICES) {
            String name = serviceBuilding(sluice.target());
            JsonNode job = jobs.get(jobOf.get(sluice.target()));
            assertTrue(job != null, "a job " + jobOf.get(sluice.target()) + ": " + jobs.keySet());
            JsonNode sd = job.path("dns_sd_configs").path(0);
            assertEquals(1, job.path("dns_sd_configs").size(), name + ": found through Docker's DNS, every replica");
            assertEquals(List.of(name), List.of(sd.path("names").path(0).asText()), name + ": the compose service's name");
            assertEquals(1, sd.path("names").size());
            assertEquals("A", sd.path("type").asText(), name + ": one A record per replica");
            assertEquals(sluice.opsPort(service(name)), sd.path("port").asInt(), name + "'s ops port");
            assertEquals("/metrics", job.path("metrics_path").asText("/metrics"));
        }
    }

    @Test
    void haproxyAndClickHouseAreScrapedThroughTheirOwnExporters() {
        Map<String, JsonNode> jobs = jobs();
        assertEquals(Set.of("sluice-bridge", "sluice-processor", "sluice-sink", "haproxy", "clickhouse"), jobs.keySet(),
                "the jobs the dashboards and alerts name (Kafka's image has no Prometheus endpoint)");
        assertEquals("haproxy:8404", jobs.get("haproxy").path("static_configs").path(0).path("targets").path(0).asText());
        List<String> metrics = ComposeFile.haproxySection(ComposeFile.read("stack/haproxy/haproxy-compose.cfg"), "frontend metrics");
        assertTrue(metrics.contains("bind :8404") && metrics.contains("mode http"), "HAProxy serves HTTP on 8404: " + metrics);
        assertTrue(metrics.contains("http-request use-service prometheus-exporter if { path /metrics }"), "its exporter");

        assertEquals("clickhouse:9363", jobs.get("clickhouse").path("static_configs").path(0).path("targets").path(0).asText());
        String xml = ComposeFile.read("stack/clickhouse/prometheus-compose.xml");
        assertTrue(xml.contains("<port>9363</port>") && xml.contains("<endpoint>/metrics</endpoint>"), "ClickHouse's endpoint");
        String[] mount = ComposeFile.mountOf(service("clickhouse"), "./stack/clickhouse/prometheus-compose.xml")
                .orElseThrow(() -> new AssertionError("clickhouse mounts its Prometheus config"));
        assertTrue(mount[1].startsWith("/etc/clickhouse-server/config.d/") && mount[1].endsWith(".xml"), mount[1]);
        for (JsonNode service : ComposeFile.services().values()) {
            service.path("ports").forEach(p -> assertTrue(!p.asText().endsWith(":9363"), "ClickHouse's metrics stay inside"));
        }
    }

    @Test
    void grafanaIsProvisionedWithPrometheusAndTheSluiceDashboards() {
        JsonNode grafana = service("grafana");
        assertTrue(grafana.path("image").asText().matches("grafana/grafana(-oss)?:\\d+\\.\\d+\\.\\d+"),
                "Grafana OSS, pinned: " + grafana.path("image").asText());
        assertTrue(ComposeFile.environment(grafana).get("GF_SECURITY_ADMIN_PASSWORD").startsWith("${SLUICE_GRAFANA_PASSWORD:?"),
                "the admin password from .env, required");
        List<String> ports = new ArrayList<>();
        grafana.path("ports").forEach(p -> ports.add(p.asText()));
        assertEquals(List.of("127.0.0.1:3000:3000"), ports);
        assertEquals("/etc/grafana/provisioning", ComposeFile.mountOf(grafana, "./ops/grafana/provisioning")
                .map(m -> m[1]).orElse(""), "Grafana reads ops/grafana/provisioning");

        JsonNode source = ComposeFile.yaml("ops/grafana/provisioning/datasources/prometheus.yml").path("datasources").path(0);
        assertEquals("prometheus", source.path("uid").asText(), "the uid the dashboards name");
        assertEquals("prometheus", source.path("type").asText());
        assertEquals("http://prometheus:9090", source.path("url").asText(), "the compose prometheus service");
        assertTrue(ComposeFile.services().containsKey("prometheus"));

        JsonNode provider = ComposeFile.yaml("ops/grafana/provisioning/dashboards/sluice.yml").path("providers").path(0);
        assertEquals("file", provider.path("type").asText());
        String[] dashboards = ComposeFile.mountOf(grafana, "./ops/grafana/dashboards")
                .orElseThrow(() -> new AssertionError("grafana mounts ./ops/grafana/dashboards"));
        assertEquals(dashboards[1], provider.path("options").path("path").asText(), "the provider reads the mounted dashboards");
        assertEquals("ro", dashboards.length == 3 ? dashboards[2] : "");
    }
}
