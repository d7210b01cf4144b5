package io.sluice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.sluice.testing.PrometheusTestServer;
import io.sluice.testing.StackTemplates;

/** The shipped Prometheus configuration and alert rules, checked and unit-tested by the real promtool. */
class PrometheusRulesIT {

    private static final Path PROMETHEUS = StackTemplates.root().resolve("ops/prometheus");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theNativeStacksConfigurationIsValid(@TempDir Path dir) throws Exception {
        Path config = PrometheusTestServer.renderConfig(dir);
        String out = promtool("check", "config", config.toString());
        assertTrue(out.contains("SUCCESS"), out);
        Set<String> jobs = new TreeSet<>();
        YAML.readTree(config.toFile()).get("scrape_configs").forEach(job -> jobs.add(job.get("job_name").asText()));
        assertEquals(Set.of("sluice-bridge", "sluice-processor", "sluice-sink", "haproxy"), jobs);
    }

    @Test
    void everyAlertRuleIsValidAndPassesItsUnitTests() throws Exception {
        String checked = promtool("check", "rules", PROMETHEUS.resolve("alerts.yml").toString());
        assertTrue(checked.contains("SUCCESS"), checked);
        String tested = promtool("test", "rules", PROMETHEUS.resolve("alerts-test.yml").toString());
        assertTrue(tested.contains("SUCCESS"), tested);
    }

    @Test
    void everyAlertHasAUnitTestThatExpectsItToFire() throws IOException {
        Set<String> alerts = new TreeSet<>();
        for (JsonNode group : YAML.readTree(PROMETHEUS.resolve("alerts.yml").toFile()).get("groups")) {
            group.get("rules").forEach(rule -> alerts.add(rule.get("alert").asText()));
        }
        Set<String> firing = new TreeSet<>();
        for (JsonNode test : YAML.readTree(PROMETHEUS.resolve("alerts-test.yml").toFile()).get("tests")) {
            for (JsonNode expectation : test.get("alert_rule_test")) {
                if (!expectation.get("exp_alerts").isEmpty()) {
                    firing.add(expectation.get("alertname").asText());
                }
            }
        }
        assertEquals(alerts, firing, "alerts without a test that makes them fire");
        assertTrue(alerts.size() >= 15, "the rules cover the edge, the pipeline, resources and detection: " + alerts);
    }

    /** Runs promtool; fails with its output when it exits non-zero. */
    static String promtool(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(PrometheusTestServer.promtool()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool did not end within 60 s");
        assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }
}
