package io.sluice.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.sluice.bridge.auth.CredentialsFile;
import io.sluice.bridge.auth.PasswordHash;
import io.sluice.schemas.avro.DeadLetter;
import io.sluice.schemas.avro.DeviceSession;
import io.sluice.schemas.avro.TelemetryEvent;
import io.sluice.schemas.kafka.Topics;
import io.sluice.testing.Await;
import io.sluice.testing.KafkaRecords;
import io.sluice.testing.KafkaTestCluster;
import io.sluice.testing.MosquittoPub;
import io.sluice.testing.TestCertificates;

/**
 * A bridge with authentication, an ACL and a TLS listener (device certificates optional), on a real
 * Kafka broker, spoken to by Debian's mosquitto_pub with credentials and certificates the test makes.
 */
class DeviceSecurityIT {

    private static final int MQTT5_BAD_USERNAME_OR_PASSWORD = 0x86;
    private static final int MQTT311_BAD_USERNAME_OR_PASSWORD = 4;
    private static final int MQTT5_NOT_AUTHORIZED = 0x87;
    private static final String READING = "{\"metrics\":{\"t\":1}}";

    @TempDir
    static Path dir;
    private static KafkaTestCluster kafka;
    private static MqttBridge bridge;
    private static Path credentials;
    private static TestCertificates authority;
    private static String secretOfDevA;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaTestCluster.start();
        credentials = dir.resolve("credentials");
        secretOfDevA = addDevice("dev-a");
        authority = TestCertificates.authority(dir, "fleet-ca");
        TestCertificates.Pair server = authority.server();
        bridge = MqttBridge.start(new BridgeConfig(Map.ofEntries(
                Map.entry(BridgeConfig.BRIDGE_ID, "secure"),
                Map.entry(BridgeConfig.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers()),
                Map.entry(BridgeConfig.MQTT_HOST, "127.0.0.1"), Map.entry(BridgeConfig.MQTT_PORT, 0),
                Map.entry(BridgeConfig.MQTT_WS_PORT, -1), Map.entry(BridgeConfig.MQTT_TLS_PORT, 0),
                Map.entry(BridgeConfig.MQTT_TLS_CERT_FILE, server.certificate().toString()),
                Map.entry(BridgeConfig.MQTT_TLS_KEY_FILE, server.key().toString()),
                Map.entry(BridgeConfig.MQTT_TLS_CLIENT_CA_FILE, authority.certificate().toString()),
                Map.entry(BridgeConfig.AUTH_CREDENTIALS_FILE, credentials.toString()),
                Map.entry(BridgeConfig.AUTH_RELOAD_INTERVAL_MS, 200L),
                Map.entry(BridgeConfig.OPS_HOST, "127.0.0.1"), Map.entry(BridgeConfig.OPS_PORT, 0),
                Map.entry(BridgeConfig.DRAIN_GRACE_MS, 0L))));
    }

    @AfterAll
    static void stop() throws Exception {
        bridge.close();
        kafka.close();
    }

    /** Adds a device with {@code ./sluice device add}'s code and returns its generated secret. */
    private static String addDevice(String deviceId) throws Exception {
        String secret = PasswordHash.newSecret();
        new CredentialsFile(credentials).add(deviceId, secret, PasswordHash.MIN_ITERATIONS);
        return secret;
    }

    private static List<String> login(String user, String password) {
        return List.of("-u", user, "-P", password);
    }

    private static List<TelemetryEvent> rawEventsOf(String deviceId, int expected) {
        return KafkaRecords.awaitMatching(kafka.bootstrapServers(), Topics.TELEMETRY_RAW.name(), Topics.TELEMETRY_RAW::decode,
                e -> e.getDeviceId().equals(deviceId), expected);
    }

    private static List<DeviceSession> sessionsOf(String clientId, int expected) {
        return KafkaRecords.awaitMatching(kafka.bootstrapServers(), Topics.DEVICE_SESSIONS.name(), Topics.DEVICE_SESSIONS::decode,
                s -> s.getClientId().equals(clientId), expected);
    }

    @Test
    void theRightSecretConnectsAndEachSessionIsRecorded() throws Exception {
        MosquittoPub.Result result = MosquittoPub.publish(bridge.mqttPort(), "dev-a-1", "devices/dev-a/telemetry",
                "{\"seq\":11,\"metrics\":{\"t\":1}}", 1, "mqttv5", login("dev-a", secretOfDevA));
        assertEquals(0, result.connackCode(), result.output());
        assertEquals(0, result.ackReasonCode(), result.output());
        assertTrue(rawEventsOf("dev-a", 1).stream().anyMatch(e -> Long.valueOf(11).equals(e.getSeq())));
        List<DeviceSession> sessions = sessionsOf("dev-a-1", 2);
        assertEquals(List.of("CONNECTED", "DISCONNECTED"), sessions.stream().map(DeviceSession::getEvent).toList());
        assertEquals("dev-a", sessions.get(0).getDeviceId(), "the authenticated device, not the client id");
        assertEquals("NORMAL", sessions.get(1).getReason());
        assertEquals(5, sessions.get(0).getProtocolVersion());
        assertTrue(sessions.get(0).getAddress().contains("127.0.0.1"), sessions.get(0).getAddress());
    }

    @ParameterizedTest(name = "{0} / {1} over {2}")
    @CsvSource({
            "dev-a, wrong-secret, mqttv5", "dev-a, wrong-secret, mqttv311",
            "nobody, any-secret, mqttv5", "nobody, any-secret, mqttv311"})
    void aWrongSecretOrAnUnknownDeviceIsRefusedAlike(String user, String password, String version) throws Exception {
        String clientId = "refused-" + user + "-" + version;
        MosquittoPub.Result result = MosquittoPub.publish(bridge.mqttPort(), clientId, "devices/" + user + "/telemetry",
                READING, 1, version, login(user, password));
        assertEquals(version.equals("mqttv5") ? MQTT5_BAD_USERNAME_OR_PASSWORD : MQTT311_BAD_USERNAME_OR_PASSWORD,
                result.connackCode(), result.output());
        assertNotEquals(0, result.exitCode());
        DeviceSession refusal = sessionsOf(clientId, 1).get(0);
        assertEquals("REFUSED", refusal.getEvent());
        assertEquals("BAD_CREDENTIALS", refusal.getReason());
    }

    @Test
    void noCredentialsAtAllIsRefused() throws Exception {
        MosquittoPub.Result result = MosquittoPub.publish(bridge.mqttPort(), "anonymous", "devices/dev-a/telemetry", READING, 1,
                "mqttv5");
        assertEquals(MQTT5_BAD_USERNAME_OR_PASSWORD, result.connackCode(), result.output());
    }

    @Test
    void aDevicePublishingForAnotherGets0x87AndTheReadingIsDeadLettered() throws Exception {
        MosquittoPub.Result result = MosquittoPub.publish(bridge.mqttPort(), "dev-a-acl", "devices/dev-victim/telemetry", READING,
                1, "mqttv5", login("dev-a", secretOfDevA));
        assertEquals(0, result.connackCode(), result.output());
        assertEquals(MQTT5_NOT_AUTHORIZED, result.ackReasonCode(), result.output());
        List<DeadLetter> letters = KafkaRecords.readToEnd(kafka.bootstrapServers(), Topics.DEAD_LETTER.name(),
                Topics.DEAD_LETTER::decode).stream().filter(d -> d.getReason().equals("NOT_AUTHORIZED")).toList();
        assertEquals(1, letters.size());
        assertEquals("dev-a", letters.get(0).getDeviceId());
        assertEquals("devices/dev-victim/telemetry", letters.get(0).getMqttTopic());
        assertTrue(rawEventsOf("dev-victim", 0).isEmpty(), "nothing written for the other device");
    }

    @Test
    void aDeviceAddedWhileTheBridgeRunsCanConnectOnceTheFileIsReloaded() throws Exception {
        String secret = addDevice("dev-new");
        MosquittoPub.Result result = Await.until("dev-new accepted after the reload", Duration.ofSeconds(10),
                () -> MosquittoPub.publish(bridge.mqttPort(), "dev-new", "devices/dev-new/telemetry", READING, 1, "mqttv311",
                        login("dev-new", secret)),
                r -> r.connackCode() == 0);
        assertTrue(result.acknowledged(), result.output());
        assertEquals(1, rawEventsOf("dev-new", 1).size());
    }

    @Test
    void overTlsAPasswordDeviceIsAccepted() throws Exception {
        MosquittoPub.Result result = MosquittoPub.publish(bridge.tlsPort(), "dev-a-tls", "devices/dev-a/telemetry",
                "{\"seq\":77,\"metrics\":{\"t\":1}}", 1, "mqttv311",
                List.of("--cafile", authority.certificate().toString(), "-u", "dev-a", "-P", secretOfDevA));
        assertEquals(0, result.connackCode(), result.output());
        assertTrue(result.acknowledged(), result.output());
        assertEquals("tls", sessionsOf("dev-a-tls", 1).get(0).getTransport());
        assertTrue(rawEventsOf("dev-a", 1).stream().anyMatch(e -> Long.valueOf(77).equals(e.getSeq())));
    }

    @Test
    void withMutualTlsTheCertificateCnIsTheDeviceAndNoPasswordIsNeeded() throws Exception {
        TestCertificates.Pair device = authority.device("dev-cert");
        List<String> tls = List.of("--cafile", authority.certificate().toString(), "--cert", device.certificate().toString(),
                "--key", device.key().toString());
        MosquittoPub.Result own = MosquittoPub.publish(bridge.tlsPort(), "dev-cert", "devices/dev-cert/telemetry", READING, 1,
                "mqttv5", tls);
        assertEquals(0, own.connackCode(), own.output());
        assertEquals(0, own.ackReasonCode(), own.output());
        assertEquals(1, rawEventsOf("dev-cert", 1).size());
        MosquittoPub.Result other = MosquittoPub.publish(bridge.tlsPort(), "dev-cert-2", "devices/dev-a/telemetry", READING, 1,
                "mqttv5", tls);
        assertEquals(MQTT5_NOT_AUTHORIZED, other.ackReasonCode(), "the certificate's device may publish only for itself: "
                + other.output());
    }

    @Test
    void aCertificateFromAnotherAuthorityFailsTheHandshake() throws Exception {
        TestCertificates stranger = TestCertificates.authority(dir, "stranger-ca");
        TestCertificates.Pair device = stranger.device("dev-forged");
        MosquittoPub.Result result = MosquittoPub.publish(bridge.tlsPort(), "dev-forged", "devices/dev-forged/telemetry", READING,
                1, "mqttv5", List.of("--cafile", authority.certificate().toString(), "--cert", device.certificate().toString(),
                        "--key", device.key().toString()));
        assertEquals(-1, result.connackCode(), result.output());
        assertNotEquals(0, result.exitCode(), result.output());
        assertTrue(rawEventsOf("dev-forged", 0).isEmpty());
    }
}
