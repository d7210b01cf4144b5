package io.sluice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * docker-compose.yml and the compose HAProxy configuration as the real tools read them, without a Docker engine:
 * {@code docker-compose config} (Debian's docker-compose validates the file and interpolates it offline),
 * {@code promtool check config} on the compose scrape configuration and {@code haproxy -c} in zero-warning mode.
 */
class ComposeToolsIT {

    private static final String HAPROXY_CONFIG = "stack/haproxy/haproxy-compose.cfg";

    @TempDir
    Path temp;

    /** {@code docker-compose config} with only the given variables: no .env of the developer's, no inherited SLUICE_*. */
    private Programs.Result composeConfig(Map<String, String> variables) throws IOException {
        String compose = Programs.require("docker-compose", "docker-compose");
        Path emptyEnvFile = Files.writeString(temp.resolve("empty.env"), "");
        Consumer<Map<String, String>> environment = env -> {
            env.keySet().removeIf(name -> name.startsWith("SLUICE_") || name.startsWith("COMPOSE_"));
            env.putAll(variables);
        };
        return Programs.run(List.of(compose, "--env-file", emptyEnvFile.toString(), "-f", "docker-compose.yml", "config"),
                environment, 120);
    }

    @Test
    void dockerComposeAcceptsTheFileAndInterpolatesThePasswords() throws IOException {
        String clickhouse = UUID.randomUUID().toString();
        String grafana = UUID.randomUUID().toString();
        Programs.Result config = composeConfig(Map.of("SLUICE_CLICKHOUSE_PASSWORD", clickhouse, "SLUICE_GRAFANA_PASSWORD", grafana));
        assertEquals(0, config.exitCode(), config.output());
        JsonNode resolved = ComposeFile.YAML.readTree(config.stdout()).path("services");
        assertEquals(clickhouse, resolved.path("clickhouse").path("environment").path("CLICKHOUSE_PASSWORD").asText());
        assertEquals(clickhouse, resolved.path("clickhouse-sink").path("environment").path("SLUICE_SINK_CLICKHOUSE_PASSWORD").asText());
        assertEquals(grafana, resolved.path("grafana").path("environment").path("GF_SECURITY_ADMIN_PASSWORD").asText());
        String bridge = ComposeFile.serviceBuilding("mqtt-bridge");
        assertEquals(ComposeFile.replicas(ComposeFile.service(bridge)), resolved.path(bridge).path("deploy").path("replicas").asInt(),
                "the bridge tier's replicas survive the schema");
        assertTrue(resolved.path(bridge).path("stop_grace_period").asText().matches("\\d+s"), resolved.path(bridge).toString());
        assertEquals("false", resolved.path(bridge).path("environment").path("SLUICE_BRIDGE_AUTH_ANONYMOUS").asText(),
                "devices authenticate unless .env says otherwise");
    }

    @Test
    void dockerComposeRefusesToStartWithoutEachPassword() throws IOException {
        Programs.Result none = composeConfig(Map.of("SLUICE_GRAFANA_PASSWORD", "x"));
        assertNotEquals(0, none.exitCode(), none.output());
        assertTrue(none.output().contains("put SLUICE_CLICKHOUSE_PASSWORD in .env"), none.output());
        Programs.Result noGrafana = composeConfig(Map.of("SLUICE_CLICKHOUSE_PASSWORD", "x"));
        assertNotEquals(0, noGrafana.exitCode(), noGrafana.output());
        assertTrue(noGrafana.output().contains("put SLUICE_GRAFANA_PASSWORD in .env"), noGrafana.output());
    }

    @Test
    void promtoolAcceptsTheComposeScrapeConfigAndItsRules() {
        String promtool = Programs.require("promtool", "prometheus");
        Programs.Result check = Programs.run(List.of(promtool, "check", "config", "ops/prometheus/prometheus-compose.yml"),
                env -> { }, 60);
        assertEquals(0, check.exitCode(), check.output());
        assertTrue(check.output().contains("SUCCESS: 1 rule files found"), "alerts.yml found next to it: " + check.output());
    }

    @Test
    void haproxyAcceptsTheComposeConfigWithoutAWarning() {
        String haproxy = Programs.require("haproxy", "haproxy");
        Programs.Result check = Programs.run(List.of(haproxy, "-dW", "-c", "-f", HAPROXY_CONFIG), env -> { }, 60);
        assertEquals(0, check.exitCode(), check.output());
    }

    /** The check above means something: without init-addr none, the bridges' name must resolve when HAProxy starts. */
    @Test
    void haproxyWouldRefuseBridgesThatDoNotResolveAtStartWithoutInitAddrNone() throws IOException {
        String haproxy = Programs.require("haproxy", "haproxy");
        String config = ComposeFile.read(HAPROXY_CONFIG);
        assertTrue(config.contains(" init-addr none"), "init-addr none in " + HAPROXY_CONFIG);
        Path resolvedAtStart = Files.writeString(temp.resolve("haproxy.cfg"), config.replace(" init-addr none", ""));
        Programs.Result check = Programs.run(List.of(haproxy, "-dW", "-c", "-f", resolvedAtStart.toString()), env -> { }, 60);
        assertNotEquals(0, check.exitCode(), check.output());
        assertTrue(check.output().contains("could not resolve address 'bridge'"), check.output());
    }
}
