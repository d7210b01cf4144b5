package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Nothing open by default, in the files we ship: docker-compose publishes on loopback only, takes its passwords from
 * the user's {@code .env}, runs the bridges authenticated; and no configuration file we commit holds a password.
 */
class ShippedConfigurationTest {

    private static final Path ROOT = Path.of(System.getProperty("sluice.root", ".."));

    /**
     * {@code key: value}, {@code key=value} or {@code <key>value</key>} whose key says secret and whose value is a literal
     * (not a {@code ${variable}}, an {@code @PLACEHOLDER@} or a shell {@code $VARIABLE}).
     */
    private static final Pattern SECRET_LITERAL = Pattern.compile("(?i)(password|passwd|secret|jaas)[a-z_.]*\"?\\s*[:=]\\s*\"?"
            + "[^\\s\"<$@{?-][^\\s\"<]*|<(password|secret)[a-z_]*>[^<@$]+<");

    private static JsonNode compose() throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
    }

    @Test
    void composePublishesPortsOnLoopbackOnly() throws IOException {
        List<String> ports = new ArrayList<>();
        compose().get("services").forEach(service -> service.path("ports").forEach(port -> ports.add(port.asText())));
        assertFalse(ports.isEmpty(), "the compose file publishes the MQTT, Kafka and ClickHouse ports");
        for (String port : ports) {
            assertTrue(port.startsWith("127.0.0.1:"), "published beyond loopback: " + port);
        }
    }

    @Test
    void composeTakesPasswordsFromTheEnvironmentAndRefusesToStartWithoutThem() throws IOException {
        int passwords = 0;
        for (Map.Entry<String, JsonNode> service : iterable(compose().get("services").fields())) {
            for (Map.Entry<String, JsonNode> variable : iterable(service.getValue().path("environment").fields())) {
                if (variable.getKey().contains("PASSWORD")) {
                    passwords++;
                    assertTrue(variable.getValue().asText().matches("\\$\\{[A-Z_]+:\\?.+}"),
                            service.getKey() + " " + variable.getKey() + " must come from .env, required: " + variable.getValue());
                }
            }
        }
        assertEquals(3, passwords, "ClickHouse and the sink share one password from .env; Grafana's admin has another");
    }

    @Test
    void composeBridgesAuthenticateDevicesUnlessTheUserSaysOtherwise() throws IOException {
        JsonNode services = compose().get("services");
        for (String bridge : List.of("bridge")) {
            JsonNode environment = services.get(bridge).get("environment");
            assertEquals("${SLUICE_BRIDGE_AUTH_CREDENTIALS_FILE-/etc/sluice/credentials}",
                    environment.get("SLUICE_BRIDGE_AUTH_CREDENTIALS_FILE").asText(), bridge);
            assertEquals("${SLUICE_BRIDGE_AUTH_ANONYMOUS:-false}", environment.get("SLUICE_BRIDGE_AUTH_ANONYMOUS").asText(), bridge);
            assertTrue(services.get(bridge).get("volumes").get(0).asText().endsWith(":/etc/sluice:ro"), bridge);
        }
    }

    @Test
    void noCommittedConfigurationFileHoldsAPassword() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file : files.filter(ShippedConfigurationTest::isConfiguration).toList()) {
                Matcher literal = SECRET_LITERAL.matcher(Files.readString(file));
                while (literal.find()) {
                    found.add(ROOT.relativize(file) + ": " + literal.group());
                }
            }
        }
        assertEquals(List.of(), found);
    }

    @Test
    void thePatternFindsPasswordLiterals() {
        for (String leak : List.of("CLICKHOUSE_PASSWORD: sluice", "<password>hunter2</password>", "ssl.keystore.password=changeit",
                "\"password\": \"x1\"")) {
            assertTrue(SECRET_LITERAL.matcher(leak).find(), leak);
        }
        for (String fine : List.of("CLICKHOUSE_PASSWORD: ${SLUICE_CLICKHOUSE_PASSWORD:?set it}",
                "<password_sha256_hex>@PASSWORD_SHA256@</password_sha256_hex>", "password.file=$STATE/clickhouse-password")) {
            assertFalse(SECRET_LITERAL.matcher(fine).find(), fine);
        }
    }

    private static boolean isConfiguration(Path file) {
        String path = ROOT.relativize(file).toString();
        String name = file.getFileName().toString();
        return Files.isRegularFile(file) && !path.contains("target/") && !path.startsWith(".") && !path.contains("/.")
                && (name.matches(".*\\.(ya?ml|xml|properties|cfg|conf|env|json)") || name.equals("Dockerfile") || name.equals("sluice"))
                && !path.contains("src/test/resources/corpus");
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> iterator) {
        return () -> iterator;
    }
}
