package io.sluice.cli.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.load.FleetOptions;
import io.sluice.testing.ClickHouseTestServer;
import io.sluice.testing.FreePorts;
import io.sluice.testing.HaproxyTestServer;
import io.sluice.testing.KafkaBrokerProcess;
import io.sluice.testing.ServiceJar;
import io.sluice.testing.TempDirs;

/**
 * The short version of each {@code ./sluice chaos} scenario, on a stack of real processes on free loopback ports (the
 * shaded jars, Kafka, ClickHouse, HAProxy, authentication on): 40 devices at QoS 1 through HAProxy, the fault 3 s in,
 * a 10 s outage; nothing acknowledged may be lost or stored twice.
 */
class ChaosIT {

    private static Path dir;
    private static TestStack stack;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("sluice-chaos-");
        stack = TestStack.start(dir);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        TempDirs.deleteQuietly(dir);
    }

    @ParameterizedTest
    @EnumSource(ChaosScenario.class)
    void nothingAcknowledgedIsLostOrDuplicated(ChaosScenario scenario) throws Exception {
        String only = System.getProperty("sluice.chaos.only");
        Assumptions.assumeTrue(only == null || only.equals(scenario.label()), "-Dsluice.chaos.only=" + only + " picks another");
        if (scenario.needsDeviceNetwork() || scenario.needsSmallKafkaDisk()) {
            Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                    "the network cut (a network namespace and a veth pair) and the full disk (a tmpfs mount) need root");
        }
        Duration outage = Duration.ofSeconds(10);
        int seconds = 3 + (int) scenario.down(outage).toSeconds() + 15;
        FleetOptions fleet = new FleetOptions("127.0.0.1", stack.haproxy.mqttPort(), 40, new io.sluice.load.RateProfile.Steady(400),
                seconds, 1, 16, "chaos-" + scenario.label().replace("-", "").substring(0, 6) + "-" + System.currentTimeMillis() % 100000,
                FleetOptions.Transport.TCP, FleetOptions.PayloadFormat.JSON, io.sluice.bridge.auth.PasswordHash.newSecret(), 0, 1);
        ChaosRun.Result result = ChaosRun.run(scenario, stack, fleet, Duration.ofSeconds(3), outage, stack.clickHouseQueries,
                stack.credentials, dir.resolve("reports"), new PrintStream(System.out, true));
        System.out.printf("chaos %s: sent %d, acknowledged %d, stored %d, lost %d, duplicated %d, acks back after %.1f s, stored"
                        + " caught up after %.1f s%n", scenario.label(), result.sent(), result.acknowledged(), result.stored(),
                result.lost(), result.duplicated(), result.acksBackAfter(), result.storedCaughtUpAfter());
        assertEquals(null, result.failure());
        assertTrue(result.acknowledged() > 1000, "the fleet got through: " + result);
        assertEquals(0, result.lost(), "lost: " + result);
        assertEquals(0, result.duplicated(), "duplicated: " + result);
        assertTrue(result.storedCaughtUpAfter() >= 0, "ClickHouse caught up: " + result);
    }

    /** The stack's processes, on free ports, faulted by name as the native stack's are. */
    private static final class TestStack implements ChaosStack, AutoCloseable {
        private final Path logs;
        private final Path credentials;
        private final KafkaBrokerProcess kafka;
        private final ClickHouseTestServer clickHouse;
        private final ClickHouseQueries clickHouseQueries;
        private final Map<String, ServiceJar> services;
        private HaproxyTestServer haproxy;

        private TestStack(Path logs, Path credentials, KafkaBrokerProcess kafka, ClickHouseTestServer clickHouse) {
            this.logs = logs;
            this.credentials = credentials;
            this.kafka = kafka;
            this.clickHouse = clickHouse;
            this.clickHouseQueries = new ClickHouseQueries(new ClickHouseEndpoint(clickHouse.url(), "default", ""));
            this.services = new LinkedHashMap<>();
        }

        static TestStack start(Path dir) throws Exception {
            Path logs = Files.createDirectories(dir.resolve("logs"));
            Path credentials = dir.resolve("credentials");
            Files.writeString(credentials, "# devices\n");
            TestStack stack = new TestStack(logs, credentials, KafkaBrokerProcess.start(), ClickHouseTestServer.start());
            try {
                String kafka = "kafka.bootstrap.servers=" + stack.kafka.bootstrapServers();
                stack.add("sink-1", "clickhouse-sink", List.of(kafka, "clickhouse.url=" + stack.clickHouse.url(), "instance.id=sink-1"));
                stack.add("processor-1", "stream-processor", List.of(kafka, "instance.id=processor-1",
                        "state.dir=" + dir.resolve("streams-1"), "kafka.session.timeout.ms=6000"));
                List<HaproxyTestServer.Backend> backends = new ArrayList<>();
                for (String bridge : List.of("bridge-1", "bridge-2")) {
                    int mqtt = FreePorts.next();
                    ServiceJar service = stack.add(bridge, "mqtt-bridge", List.of(kafka, "bridge.id=" + bridge, "mqtt.host=127.0.0.1",
                            "mqtt.port=" + mqtt, "mqtt.ws.port=-1", "mqtt.proxy.protocol=true", "auth.credentials.file=" + credentials,
                            "auth.reload.interval.ms=500", "drain.grace.ms=1000"));
                    backends.add(new HaproxyTestServer.Backend(bridge, mqtt, FreePorts.next(), service.opsPort()));
                }
                stack.haproxy = HaproxyTestServer.start(backends);
                return stack;
            } catch (Exception e) {
                stack.close();
                throw e;
            }
        }

        private ServiceJar add(String name, String module, List<String> settings) throws IOException {
            ServiceJar service = ServiceJar.start(module, name, logs, "info", settings);
            services.put(name, service);
            return service;
        }

        @Override
        public void kill(String name) {
            service(name).kill();
        }

        @Override
        public void stop(String name) {
            switch (name) {
                case "kafka" -> kafka.stop();
                case "clickhouse" -> clickHouse.stop();
                default -> service(name).stop();
            }
        }

        @Override
        public void up() {
            try {
                if (!kafka.running()) {
                    kafka.restart();
                }
                if (!clickHouse.running()) {
                    clickHouse.restart();
                }
                for (ServiceJar service : services.values()) {
                    if (!service.running()) {
                        service.restart();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void restartBridges() {
            try {
                for (String bridge : List.of("bridge-1", "bridge-2")) {
                    service(bridge).stop();
                    service(bridge).restart();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Path kafkaDataDir() {
            return kafka.dataDir();
        }

        @Override
        public boolean running(String name) {
            return switch (name) {
                case "kafka" -> kafka.running();
                case "clickhouse" -> clickHouse.running();
                default -> service(name).running();
            };
        }

        @Override
        public Path logs() {
            return logs;
        }

        private ServiceJar service(String name) {
            ServiceJar service = services.get(name);
            if (service == null) {
                throw new IllegalArgumentException("no process " + name);
            }
            return service;
        }

        @Override
        public void close() {
            if (haproxy != null) {
                haproxy.close();
            }
            services.values().forEach(ServiceJar::close);
            clickHouse.close();
            kafka.close();
        }
    }
}
