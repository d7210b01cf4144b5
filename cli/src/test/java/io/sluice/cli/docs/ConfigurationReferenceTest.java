package io.sluice.cli.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is exactly what the services' setting definitions render to. When a setting changes, regenerate
 * it with {@link ConfigurationReference#main} (the command is in {@link ConfigurationReference#REGENERATE}).
 */
class ConfigurationReferenceTest {

    private static final Path PAGE = Path.of(System.getProperty("sluice.root", ".."), "docs", "configuration.md");

    @Test
    void theCommittedReferenceIsWhatTheDefinitionsSay() throws IOException {
        assertTrue(Files.exists(PAGE), PAGE + " is missing; generate it from the repository root with: " + ConfigurationReference.REGENERATE);
        assertEquals(ConfigurationReference.render(), Files.readString(PAGE, StandardCharsets.UTF_8),
                "docs/configuration.md differs from the services' ConfigDef definitions; regenerate it from the repository root with: "
                        + ConfigurationReference.REGENERATE);
    }

    @Test
    void everyKeyOfEveryServiceHasARowWithItsEnvironmentVariableAndMeaning() {
        String page = ConfigurationReference.render();
        Map<String, Set<String>> keys = ConfigurationReference.keysByService();
        assertEquals(Set.of("mqtt-bridge", "stream-processor", "clickhouse-sink"), keys.keySet());
        for (ConfigurationReference.Service service : ConfigurationReference.SERVICES) {
            String section = page.substring(page.indexOf("\n## " + service.module() + "\n"));
            for (var key : service.definition().configKeys().values()) {
                String row = "| `" + key.name + "` | `" + service.envPrefix();
                int at = section.indexOf(row);
                assertTrue(at >= 0, service.module() + " has no row for " + key.name);
                String line = section.substring(at, section.indexOf('\n', at));
                assertTrue(!key.documentation.isBlank() && line.endsWith(ConfigurationReference.cell(key.documentation) + " |"),
                        key.name + " has its meaning: " + line);
            }
        }
    }

    @Test
    void defaultsAndValidValuesReadAsPeopleWriteThem() {
        String page = ConfigurationReference.render();
        assertTrue(page.contains("| `mqtt.port` | `SLUICE_BRIDGE_MQTT_PORT` | int | `1883` | 0 to 65535 |"), "bridge port row");
        assertTrue(page.contains("| `device.state.ttl.ms` | `SLUICE_PROCESSOR_DEVICE_STATE_TTL_MS` | long | `604800000` (7 days) |"),
                "a duration in days");
        assertTrue(page.contains("| `max.in.flight.bytes` | `SLUICE_BRIDGE_MAX_IN_FLIGHT_BYTES` | long | `67108864` (64 MiB) | at least 1024 |"),
                "a size in MiB");
        assertTrue(page.contains("| `mqtt.tls.client.auth` | `SLUICE_BRIDGE_MQTT_TLS_CLIENT_AUTH` | string | `request` |"
                + " `none`, `request`, `required` |"), "a choice");
        assertTrue(page.contains("| `clickhouse.password` | `SLUICE_SINK_CLICKHOUSE_PASSWORD` | password | empty |"), "a password");
        assertTrue(page.contains("`${java.io.tmpdir}/sluice-streams`"), "no machine's own temporary folder");
        String passedThrough = ConfigurationReference.connectionSettings();
        assertTrue(passedThrough.contains("`request.timeout.ms`") && !passedThrough.contains("`acks`")
                && !passedThrough.contains("`enable.idempotence`") && !passedThrough.contains("`group.id`"),
                "the pass-through connection settings, and none that carries a guarantee: " + passedThrough);
    }
}
