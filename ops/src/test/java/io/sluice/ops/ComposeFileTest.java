package io.sluice.ops;

import static io.sluice.ops.ComposeFile.SLUICE_SERVICES;
import static io.sluice.ops.ComposeFile.environment;
import static io.sluice.ops.ComposeFile.replicas;
import static io.sluice.ops.ComposeFile.service;
import static io.sluice.ops.ComposeFile.serviceBuilding;
import static io.sluice.ops.ComposeFile.services;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.sluice.bridge.BridgeConfig;
import io.sluice.ops.ComposeFile.SluiceService;
import io.sluice.runtime.KafkaConnection;
import io.sluice.runtime.ServiceConfig;

/**
 * The contract of docker-compose.yml, read as YAML: what a user's `docker compose up` gets. No Docker engine runs in
 * CI, so what Docker would only show at run time (data lost with a container, a bridge killed mid-drain, a JVM killed
 * by its memory limit, two replicas with one name) is asserted here from the file and the services' own definitions.
 */
class ComposeFileTest {

    /** HAProxy's LTS branches still supported for over a year (haproxy.org: even branches, 5 years each). */
    private static final Set<String> HAPROXY_LTS = Set.of(
            "2.8", // until 2028-Q2
            "3.0", // until 2029-Q2
            "3.2", // until 2030-Q2
            "3.4"); // until 2031-Q2 (released 2026-06)

    /** What a laptop can give the stack: the sum of the memory limits at the default replica counts. */
    private static final long LAPTOP_BYTES = 6L << 30;

    @Test
    void kafkaKeepsItsDataInItsVolume() {
        JsonNode kafka = service("kafka");
        String logDirs = environment(kafka).get("KAFKA_LOG_DIRS");
        assertTrue(logDirs != null && !logDirs.isBlank(), "KAFKA_LOG_DIRS set (the image's default is /tmp/kraft-combined-logs)");
        Set<String> namedVolumes = new java.util.HashSet<>();
        ComposeFile.compose().path("volumes").fieldNames().forEachRemaining(namedVolumes::add);
        for (String dir : logDirs.split(",")) {
            boolean inVolume = ComposeFile.mounts(kafka).stream().anyMatch(m -> namedVolumes.contains(m[0])
                    && (dir.equals(m[1]) || dir.startsWith(m[1] + "/")));
            assertTrue(inVolume, "Kafka log dir " + dir + " lies in a named volume of the kafka service");
        }
    }

    @Test
    void kafkaIsTheVersionOfTheClients() {
        Matcher pom = Pattern.compile("<kafka\\.version>([^<]+)</kafka\\.version>").matcher(ComposeFile.read("pom.xml"));
        assertTrue(pom.find(), "pom.xml pins kafka.version");
        String version = pom.group(1);
        assertEquals(version, AppInfoParser.getVersion(), "the kafka-clients on this classpath are the pom's");
        int images = 0;
        for (Map.Entry<String, JsonNode> service : services().entrySet()) {
            String image = service.getValue().path("image").asText();
            if (image.startsWith("apache/kafka")) {
                images++;
                assertEquals("apache/kafka:" + version, image, service.getKey() + ": the broker and tools of the clients' version");
            }
        }
        assertEquals(2, images, "the broker and the topic creation");
    }

    @Test
    void haproxyIsASupportedLtsBranch() {
        String tag = ComposeFile.tag(service("haproxy"));
        String branch = tag.replaceAll("^(\\d+\\.\\d+).*", "$1");
        assertTrue(tag.matches("\\d+\\.\\d+(\\.\\d+)?"), "a version tag, not a moving name: " + tag);
        assertTrue(HAPROXY_LTS.contains(branch), "haproxy:" + tag + " is not a supported LTS branch " + HAPROXY_LTS);
    }

    @Test
    void bridgesOutlastTheirDrainBeforeDockerKillsThem() {
        JsonNode bridge = service(serviceBuilding("mqtt-bridge"));
        SluiceService definition = SLUICE_SERVICES.get(0);
        long drain = Long.parseLong(definition.setting(bridge, BridgeConfig.DRAIN_GRACE_MS))
                + Long.parseLong(definition.setting(bridge, BridgeConfig.DRAIN_TIMEOUT_MS));
        assertTrue(drain >= 10_000, "the drain read from BridgeConfig: " + drain + " ms");
        long grace = ComposeFile.millis(bridge.path("stop_grace_period").asText("10s"));
        // 5 s more for the JVM to close its producer and exit after the drain
        assertTrue(grace >= drain + 5000, "stop_grace_period " + grace + " ms, the drain takes up to " + drain + " ms");
    }

    @Test
    void everySluiceServiceReportsReadinessOnItsOpsPort() {
        for (SluiceService sluice : SLUICE_SERVICES) {
            String name = serviceBuilding(sluice.target());
            JsonNode service = service(name);
            List<String> test = new ArrayList<>();
            service.path("healthcheck").path("test").forEach(t -> test.add(t.asText()));
            assertEquals("CMD", test.isEmpty() ? "" : test.get(0), name + ": an exec-form healthcheck " + test);
            assertEquals("curl", test.get(1), name + ": the runtime image's curl (the Dockerfile checks it is there)");
            assertTrue(test.stream().anyMatch(a -> a.matches("-[a-zA-Z]*f[a-zA-Z]*")), name + ": an HTTP error fails the check: " + test);
            assertEquals("http://127.0.0.1:" + sluice.opsPort(service) + "/health/ready", test.get(test.size() - 1), name);
        }
    }

    @Test
    void portsArePublishedOnLoopbackAndOpsPortsReachOperators() {
        for (Map.Entry<String, JsonNode> service : services().entrySet()) {
            for (JsonNode port : service.getValue().path("ports")) {
                assertTrue(port.asText().startsWith("127.0.0.1:"), service.getKey() + " publishes beyond loopback: " + port);
            }
        }
        for (SluiceService sluice : SLUICE_SERVICES) {
            String name = serviceBuilding(sluice.target());
            JsonNode service = service(name);
            List<String> ports = new ArrayList<>();
            service.path("ports").forEach(p -> ports.add(p.asText()));
            if (replicas(service) > 1 || !sluice.target().equals("clickhouse-sink")) {
                // one host port cannot front N replicas: Prometheus scrapes each (ComposeMonitoringTest)
                assertEquals(List.of(), ports, name + " is scaled: no fixed host port");
            } else {
                int ops = sluice.opsPort(service);
                assertTrue(ports.contains("127.0.0.1:" + ops + ":" + ops), name + " publishes its ops port " + ops + ": " + ports);
            }
        }
    }

    @Test
    void everyServiceHasAMemoryLimitAndTheStackFitsALaptop() {
        long total = 0;
        StringBuilder sizes = new StringBuilder();
        for (Map.Entry<String, JsonNode> service : services().entrySet()) {
            String limit = service.getValue().path("mem_limit").asText(
                    service.getValue().path("deploy").path("resources").path("limits").path("memory").asText(""));
            assertFalse(limit.isEmpty(), service.getKey() + " has a memory limit");
            long bytes = ComposeFile.bytes(limit) * replicas(service.getValue());
            total += bytes;
            sizes.append(' ').append(service.getKey()).append('=').append(bytes >> 20).append("MiB");
        }
        assertTrue(total <= LAPTOP_BYTES, "limits add up to " + (total >> 20) + " MiB:" + sizes);
    }

    @Test
    void everyJvmHeapFitsItsMemoryLimit() {
        for (Map.Entry<String, JsonNode> service : services().entrySet()) {
            JsonNode node = service.getValue();
            boolean kafka = node.path("image").asText().startsWith("apache/kafka");
            boolean sluice = node.has("build");
            if (!kafka && !sluice) {
                continue;
            }
            assertFalse(node.path("mem_limit").asText().isEmpty(), service.getKey() + " has a mem_limit");
            long limit = ComposeFile.bytes(node.path("mem_limit").asText());
            String options = environment(node).get(kafka ? "KAFKA_HEAP_OPTS" : "JAVA_TOOL_OPTIONS");
            assertTrue(options != null, service.getKey() + " sizes its JVM heap (the image's default ignores the limit)");
            long heap = ComposeFile.heap(options, limit);
            String checkCommand = node.path("healthcheck").path("test").toString();
            if (checkCommand.contains("/opt/kafka/bin/")) {
                // a Kafka tool is a JVM too, in the same limit, and would take the broker's KAFKA_HEAP_OPTS
                Matcher own = Pattern.compile("KAFKA_HEAP_OPTS=(-Xmx\\d+[kmgKMG]?)").matcher(checkCommand);
                assertTrue(own.find(), service.getKey() + ": the healthcheck's JVM sizes its own heap: " + checkCommand);
                heap += ComposeFile.heap(own.group(1), limit);
            }
            assertTrue(heap <= limit * 3 / 4, service.getKey() + ": heap " + (heap >> 20) + " MiB in " + (limit >> 20) + " MiB");
        }
        String name = serviceBuilding("stream-processor");
        JsonNode processor = service(name);
        long limit = ComposeFile.bytes(processor.path("mem_limit").asText());
        long heap = ComposeFile.heap(environment(processor).get("JAVA_TOOL_OPTIONS"), limit);
        long rocksDb = Long.parseLong(SLUICE_SERVICES.get(1).setting(processor, "rocksdb.memory.bytes"));
        assertTrue(heap + rocksDb <= limit * 85 / 100, name + ": heap " + (heap >> 20) + " MiB and RocksDB " + (rocksDb >> 20)
                + " MiB (off-heap) in " + (limit >> 20) + " MiB");
    }

    @Test
    void theBridgeTierIsOneScalableServiceBehindHaproxy() {
        String name = serviceBuilding("mqtt-bridge");
        JsonNode bridge = service(name);
        SluiceService definition = SLUICE_SERVICES.get(0);
        assertTrue(replicas(bridge) >= 2, name + ": deploy.replicas of at least 2");
        assertEquals("true", definition.setting(bridge, BridgeConfig.MQTT_PROXY_PROTOCOL), "HAProxy sends PROXY v2");
        String config = ComposeFile.read("stack/haproxy/haproxy-compose.cfg");
        assertTrue(ComposeFile.haproxySection(config, "resolvers docker").contains("nameserver dns 127.0.0.11:53"),
                "Docker's embedded DNS resolves the replicas");
        Map<String, String> backends = Map.of("backend mqtt_bridges", definition.setting(bridge, BridgeConfig.MQTT_PORT),
                "backend mqtt_bridges_ws", definition.setting(bridge, BridgeConfig.MQTT_WS_PORT));
        Pattern template = Pattern.compile("server-template \\S+ 1-(\\d+) " + Pattern.quote(name) + ":(\\d+)( .*)?");
        for (Map.Entry<String, String> backend : backends.entrySet()) {
            List<String> lines = ComposeFile.haproxySection(config, backend.getKey());
            String defaults = lines.stream().filter(l -> l.startsWith("default-server ")).findFirst().orElse("") + " ";
            for (String option : List.of("send-proxy-v2", "resolvers docker", "init-addr none",
                    "check port " + definition.opsPort(bridge))) {
                assertTrue(defaults.contains(" " + option + " "), backend.getKey() + ": default-server has " + option);
            }
            assertTrue(lines.contains("option httpchk GET /health/ready"), backend.getKey() + " checks readiness");
            Matcher m = lines.stream().map(template::matcher).filter(Matcher::matches).findFirst().orElse(null);
            assertTrue(m != null, backend.getKey() + ": server-template of the service '" + name + "': " + lines);
            assertEquals(backend.getValue(), m.group(2), backend.getKey() + ": the bridges' port");
            assertTrue(Integer.parseInt(m.group(1)) >= 10, backend.getKey() + ": room for --scale " + name + "=10");
        }
        assertEquals(1, services().values().stream().filter(s -> s.path("image").asText().startsWith("haproxy")).count());
    }

    @Test
    void replicasOfOneServiceGetNamesOfTheirOwn() {
        for (SluiceService sluice : SLUICE_SERVICES) {
            String name = serviceBuilding(sluice.target());
            JsonNode service = service(name);
            assertFalse(service.has("container_name"), name + ": a container name would forbid --scale");
            assertFalse(environment(service).containsKey(ServiceConfig.environmentVariable(sluice.envPrefix(), sluice.idKey())),
                    name + ": one " + sluice.idKey() + " would be every replica's");
            assertEquals("", sluice.definition().defaultValues().get(sluice.idKey()),
                    sluice.target() + "'s " + sluice.idKey() + " defaults to empty, meaning the host name (the container id)");
        }
    }

    @Test
    void everySluiceVariableNamesASettingOfItsService() {
        Set<String> prefixes = Set.of("SLUICE_BRIDGE_", "SLUICE_PROCESSOR_", "SLUICE_SINK_");
        for (Map.Entry<String, JsonNode> service : services().entrySet()) {
            SluiceService sluice = SLUICE_SERVICES.stream()
                    .filter(s -> s.target().equals(service.getValue().path("build").path("target").asText())).findFirst().orElse(null);
            for (String variable : environment(service.getValue()).keySet()) {
                if (prefixes.stream().noneMatch(variable::startsWith)) {
                    continue;
                }
                assertTrue(sluice != null && variable.startsWith(sluice.envPrefix()),
                        service.getKey() + ": " + variable + " is another service's setting");
                boolean defined = sluice.definition().names().stream()
                        .anyMatch(key -> ServiceConfig.environmentVariable(sluice.envPrefix(), key).equals(variable));
                String kafkaPrefix = sluice.envPrefix() + "KAFKA_";
                // SLUICE_<SERVICE>_KAFKA_<NAME> passes a client setting through, as ServiceConfig reads it
                assertTrue(defined || variable.startsWith(kafkaPrefix) && passesThrough(KafkaConnection.PREFIX
                        + variable.substring(kafkaPrefix.length()).toLowerCase(java.util.Locale.ROOT).replace('_', '.')), service.getKey() + ": " + variable
                        + " names no setting (a typo is silently ignored)");
            }
        }
    }

    private static boolean passesThrough(String kafkaKey) {
        try {
            return KafkaConnection.passesThrough(kafkaKey);
        } catch (org.apache.kafka.common.config.ConfigException refused) {
            return false;
        }
    }

    @Test
    void secretsComeFromDotEnvAndCredentialsAreMountedReadOnly() {
        String file = ComposeFile.read("docker-compose.yml");
        for (Map.Entry<String, JsonNode> service : services().entrySet()) {
            environment(service.getValue()).forEach((variable, value) -> {
                if (variable.contains("PASSWORD")) {
                    assertTrue(value.matches("\\$\\{SLUICE_[A-Z_]+_PASSWORD:\\?.+}"),
                            service.getKey() + " " + variable + " must come from .env, required: " + value);
                }
            });
        }
        assertTrue(file.contains("${SLUICE_GRAFANA_PASSWORD:?"), "Grafana's admin password from .env");
        String bridge = serviceBuilding("mqtt-bridge");
        assertTrue(ComposeFile.mountOf(service(bridge), "./.sluice").map(m -> m.length == 3 && m[2].equals("ro")).orElse(false),
                bridge + " mounts the credentials read-only");
        assertEquals("${SLUICE_BRIDGE_AUTH_ANONYMOUS:-false}", environment(service(bridge)).get("SLUICE_BRIDGE_AUTH_ANONYMOUS"));
    }
}
