package io.sluice.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.sluice.bridge.auth.CredentialsFile;
import io.sluice.bridge.auth.PasswordHash;
import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.testing.Await;
import io.sluice.testing.ClickHouseTestServer;
import io.sluice.testing.FreePorts;
import io.sluice.testing.KafkaBrokerProcess;
import io.sluice.testing.RawMqttClient;
import io.sluice.testing.Scrape;
import io.sluice.testing.ServiceJar;
import io.sluice.testing.TestCertificates;

/**
 * No secret in any log line, exception, metric or process argument: a full stack of real processes (bridge with
 * authentication and TLS, processor, sink with a ClickHouse password, a Kafka broker that takes SASL_SSL clients only,
 * every service logging at debug into its file as the native stack does) sees a device log in over TLS with its
 * secret, another try a wrong secret, a Kafka client try a wrong password, and a reading reach ClickHouse through
 * Kafka over SASL_SSL (the services' {@code kafka.*} settings, the JAAS line in their environment); then every log
 * file, every metric and every process's arguments are searched for the secrets.
 */
class SecretsStayOutIT {

    private static final String DEVICE = "dev-secretive";

    @TempDir
    Path dir;

    @Test
    void noSecretAppearsInAnyLogMetricOrProcessArgument() throws Exception {
        String deviceSecret = PasswordHash.newSecret();
        String wrongSecret = "wrong" + PasswordHash.newSecret();
        String clickHousePassword = PasswordHash.newSecret();
        String kafkaPassword = PasswordHash.newSecret();
        String wrongKafkaPassword = "wrong" + PasswordHash.newSecret();
        Path logs = Files.createDirectories(dir.resolve("logs"));
        new CredentialsFile(dir.resolve("credentials")).add(DEVICE, deviceSecret, PasswordHash.MIN_ITERATIONS);
        Path passwordFile = dir.resolve("clickhouse-password");
        Files.writeString(passwordFile, clickHousePassword + "\n");
        TestCertificates authority = TestCertificates.authority(dir, "fleet-ca");
        TestCertificates.Pair server = authority.server();
        int tlsPort = FreePorts.next();
        try (KafkaBrokerProcess kafka = KafkaBrokerProcess.startSaslSsl(server, authority.certificate(), "sluice", kafkaPassword);
             ClickHouseTestServer clickHouse = ClickHouseTestServer.start(clickHousePassword)) {
            List<String> saslSsl = List.of("kafka.bootstrap.servers=" + kafka.bootstrapServers(), "kafka.security.protocol=SASL_SSL",
                    "kafka.sasl.mechanism=PLAIN", "kafka.ssl.truststore.type=PEM", "kafka.ssl.truststore.location=" + authority.certificate());
            assertKafkaRefuses(saslSsl, wrongKafkaPassword);
            String login = KafkaBrokerProcess.plainLogin("sluice", kafkaPassword);
            try (ServiceJar sink = ServiceJar.start("clickhouse-sink", "sink", logs, "debug", with(saslSsl, "clickhouse.url=" + clickHouse.url(),
                         "clickhouse.password.file=" + passwordFile, "batch.max.age.ms=50"), Map.of("SLUICE_SINK_KAFKA_SASL_JAAS_CONFIG", login));
                 ServiceJar processor = ServiceJar.start("stream-processor", "processor", logs, "debug", with(saslSsl,
                         "state.dir=" + dir.resolve("streams")), Map.of("SLUICE_PROCESSOR_KAFKA_SASL_JAAS_CONFIG", login));
                 ServiceJar bridge = ServiceJar.start("mqtt-bridge", "bridge", logs, "debug", with(saslSsl, "mqtt.host=127.0.0.1",
                         "mqtt.port=" + FreePorts.next(), "mqtt.ws.port=-1", "mqtt.tls.port=" + tlsPort,
                         "mqtt.tls.cert.file=" + server.certificate(), "mqtt.tls.key.file=" + server.key(),
                         "mqtt.tls.client.ca.file=" + authority.certificate(), "auth.credentials.file=" + dir.resolve("credentials")),
                         Map.of("SLUICE_BRIDGE_KAFKA_SASL_JAAS_CONFIG", login))) {
                exerciseAndSearch(logs, clickHouse, List.of(bridge, processor, sink), tlsPort, authority, deviceSecret, wrongSecret,
                        Map.of("the device's secret", deviceSecret, "the wrong secret", wrongSecret, "the ClickHouse password",
                                clickHousePassword, "the Kafka password", kafkaPassword, "the wrong Kafka password", wrongKafkaPassword),
                        clickHousePassword);
            }
        }
    }

    private static void exerciseAndSearch(Path logs, ClickHouseTestServer clickHouse, List<ServiceJar> services, int tlsPort,
                                          TestCertificates authority, String deviceSecret, String wrongSecret,
                                          Map<String, String> secrets, String clickHousePassword) throws Exception {
        try (RawMqttClient impostor = RawMqttClient.open(authority.trustingSockets(), tlsPort, MqttVersion.MQTT_5)
                .login(DEVICE, 30, DEVICE, wrongSecret)) {
            assertNotEquals(0, impostor.connack(Duration.ofSeconds(10)).variableHeader().connectReturnCode().byteValue());
        }
        try (RawMqttClient device = RawMqttClient.open(authority.trustingSockets(), tlsPort, MqttVersion.MQTT_5)
                .login(DEVICE, 30, DEVICE, deviceSecret)) {
            assertEquals(0, device.connack(Duration.ofSeconds(10)).variableHeader().connectReturnCode().byteValue());
            device.publish("devices/" + DEVICE + "/telemetry", "{\"seq\":1,\"metrics\":{\"t\":21.5}}"
                    .getBytes(StandardCharsets.UTF_8), MqttQoS.AT_LEAST_ONCE, 1, false);
            device.next(Duration.ofSeconds(10));
        }
        ClickHouseQueries queries = new ClickHouseQueries(new ClickHouseEndpoint(clickHouse.url(), "default", clickHousePassword));
        Await.until("the reading in ClickHouse", Duration.ofSeconds(60),
                () -> queries.number("SELECT count() FROM sluice.telemetry WHERE device_id = '" + DEVICE + "'") == 1);
        List<String> metrics = new ArrayList<>();
        for (ServiceJar service : services) {
            metrics.add(Scrape.metrics(service.opsPort()));
        }
        String arguments = processArguments();
        List<String> leaks = new ArrayList<>();
        for (Map.Entry<String, String> secret : secrets.entrySet()) {
            search(secret, "process arguments", arguments, leaks);
            search(secret, "metrics", String.join("\n", metrics), leaks);
            for (Path log : files(logs, clickHouse.logDir())) {
                search(secret, log.toString(), Files.readString(log, StandardCharsets.ISO_8859_1), leaks);
            }
        }
        assertEquals(List.of(), leaks);
        assertTrue(Files.readString(logs.resolve("bridge.log")).contains("DEBUG"), "the services logged at debug");
    }

    private static List<String> with(List<String> settings, String... more) {
        List<String> all = new ArrayList<>(settings);
        all.addAll(List.of(more));
        return all;
    }

    /** A Kafka client with the right settings and a wrong password is refused: the broker really wants SASL_SSL. */
    private static void assertKafkaRefuses(List<String> settings, String wrongPassword) {
        Map<String, Object> config = new java.util.HashMap<>();
        for (String setting : settings) {
            String[] parts = setting.substring("kafka.".length()).split("=", 2);
            config.put(parts[0], parts[1]);
        }
        config.put("sasl.jaas.config", io.sluice.testing.KafkaBrokerProcess.plainLogin("sluice", wrongPassword));
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(config)) {
            java.util.concurrent.ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class,
                    () -> admin.describeCluster().clusterId().get(30, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(refused.getCause() instanceof org.apache.kafka.common.errors.SaslAuthenticationException, refused.toString());
        }
    }

    private static void search(Map.Entry<String, String> secret, String where, String text, List<String> leaks) {
        if (text.contains(secret.getValue())) {
            leaks.add(secret.getKey() + " in " + where);
        }
    }

    private static List<Path> files(Path... dirs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path dir : dirs) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(Files::isRegularFile).forEach(files::add);
            }
        }
        assertTrue(files.size() >= 7, "every service's log and output, and ClickHouse's logs: " + files);
        return files;
    }

    /** Every process's command line, as {@code ps} shows them to any user of the machine. */
    private static String processArguments() throws IOException, InterruptedException {
        Process ps = new ProcessBuilder("ps", "-eo", "args", "ww").redirectErrorStream(true).start();
        String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, ps.waitFor());
        assertTrue(out.contains("mqtt-bridge"), "ps lists the bridge: " + out);
        return out;
    }
}
