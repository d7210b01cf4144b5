package io.sluice.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttVersion;
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
import io.sluice.testing.RawMqttClient;
import io.sluice.testing.TestCertificates;

/**
 * A bridge with authentication, an ACL, a certificate deny list and a TLS listener (device certificates optional), on
 * a real Kafka broker, spoken to by Debian's mosquitto_pub and by raw MQTT sockets, with credentials and certificates
 * the test makes. Each test has devices of its own: a device's client id is its id.
 */
class DeviceSecurityIT {

    private static final int MQTT5_INVALID_CLIENT_ID = 0x85;
    private static final int MQTT311_IDENTIFIER_REJECTED = 2;
    private static final int MQTT5_BAD_USERNAME_OR_PASSWORD = 0x86;
    private static final int MQTT311_BAD_USERNAME_OR_PASSWORD = 4;
    private static final int MQTT5_NOT_AUTHORIZED = 0x87;
    private static final String READING = "{\"metrics\":{\"t\":1}}";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    private static KafkaTestCluster kafka;
    private static MqttBridge bridge;
    private static Path credentials;
    private static Path deniedCertificates;
    private static TestCertificates authority;
    private static final Map<String, String> SECRETS = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaTestCluster.start();
        credentials = dir.resolve("credentials");
        deniedCertificates = Files.writeString(dir.resolve("denied-certificates"), "# serial numbers\n");
        for (String device : List.of("dev-a", "dev-w", "dev-acl", "dev-tls", "victim", "dev-other", "dev-twice", "dev-revoked",
                "dev-rekeyed")) {
            SECRETS.put(device, addDevice(device));
        }
        authority = TestCertificates.authority(dir, "fleet-ca");
        bridge = MqttBridge.start(new BridgeConfig(settings(Map.of())));
    }

    private static Map<String, Object> settings(Map<String, Object> overrides) throws Exception {
        TestCertificates.Pair server = authority.server();
        Map<String, Object> settings = new HashMap<>(Map.ofEntries(
                Map.entry(BridgeConfig.BRIDGE_ID, "secure"),
                Map.entry(BridgeConfig.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers()),
                Map.entry(BridgeConfig.MQTT_HOST, "127.0.0.1"), Map.entry(BridgeConfig.MQTT_PORT, 0),
                Map.entry(BridgeConfig.MQTT_WS_PORT, -1), Map.entry(BridgeConfig.MQTT_TLS_PORT, 0),
                Map.entry(BridgeConfig.MQTT_TLS_CERT_FILE, server.certificate().toString()),
                Map.entry(BridgeConfig.MQTT_TLS_KEY_FILE, server.key().toString()),
                Map.entry(BridgeConfig.MQTT_TLS_CLIENT_CA_FILE, authority.certificate().toString()),
                Map.entry(BridgeConfig.AUTH_CREDENTIALS_FILE, credentials.toString()),
                Map.entry(BridgeConfig.AUTH_CERTIFICATE_DENY_FILE, deniedCertificates.toString()),
                Map.entry(BridgeConfig.AUTH_RELOAD_INTERVAL_MS, 200L),
                // this class's tests fail logins on purpose from one address; LoginFloodIT tests that budget
                Map.entry(BridgeConfig.AUTH_FAILURE_RATE_PER_ADDRESS, 0.0),
                Map.entry(BridgeConfig.OPS_HOST, "127.0.0.1"), Map.entry(BridgeConfig.OPS_PORT, 0),
                Map.entry(BridgeConfig.DRAIN_GRACE_MS, 0L)));
        settings.putAll(overrides);
        return settings;
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

    private static List<String> login(String user) {
        return login(user, SECRETS.get(user));
    }

    private static List<String> login(String user, String password) {
        return List.of("-u", user, "-P", password);
    }

    private static List<TelemetryEvent> rawEventsOf(String deviceId, int expected) {
        return KafkaRecords.awaitMatching(kafka.bootstrapServers(), Topics.TELEMETRY_RAW.name(), Topics.TELEMETRY_RAW::decode,
                e -> e.getDeviceId().equals(deviceId), expected);
    }

    private static List<DeviceSession> sessionsOf(String clientId, String event, int expected) {
        return KafkaRecords.awaitMatching(kafka.bootstrapServers(), Topics.DEVICE_SESSIONS.name(), Topics.DEVICE_SESSIONS::decode,
                s -> s.getClientId().equals(clientId) && (event == null || s.getEvent().equals(event)), expected);
    }

    private static RawMqttClient loggedIn(String device) throws Exception {
        RawMqttClient client = RawMqttClient.open("127.0.0.1", bridge.mqttPort(), MqttVersion.MQTT_5)
                .login(device, 60, device, SECRETS.get(device));
        assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, client.connack(WAIT).variableHeader().connectReturnCode());
        return client;
    }

    @Test
    void withoutAWayToAuthenticateTheBridgeRefusesToStart() throws Exception {
        Map<String, Object> open = settings(Map.of(BridgeConfig.AUTH_CREDENTIALS_FILE, "", BridgeConfig.MQTT_TLS_CLIENT_CA_FILE, "",
                BridgeConfig.MQTT_TLS_CLIENT_AUTH, "none", BridgeConfig.AUTH_CERTIFICATE_DENY_FILE, ""));
        ConfigException refused = assertThrows(ConfigException.class, () -> MqttBridge.start(new BridgeConfig(open)));
        assertTrue(refused.getMessage().contains("auth.anonymous=true"), refused.getMessage());
        open.put(BridgeConfig.AUTH_ANONYMOUS, true);
        try (MqttBridge anonymous = MqttBridge.start(new BridgeConfig(open))) {
            MosquittoPub.Result result = MosquittoPub.publish(anonymous.mqttPort(), "anyone", "devices/anyone/telemetry", READING,
                    1, "mqttv5");
            assertEquals(0, result.ackReasonCode(), "asked for explicitly, anonymous access works: " + result.output());
        }
    }

    @Test
    void theRightSecretConnectsAndEachSessionIsRecorded() throws Exception {
        MosquittoPub.Result result = MosquittoPub.publish(bridge.mqttPort(), "dev-a", "devices/dev-a/telemetry",
                "{\"seq\":11,\"metrics\":{\"t\":1}}", 1, "mqttv5", login("dev-a"));
        assertEquals(0, result.connackCode(), result.output());
        assertEquals(0, result.ackReasonCode(), result.output());
        assertTrue(rawEventsOf("dev-a", 1).stream().anyMatch(e -> Long.valueOf(11).equals(e.getSeq())));
        List<DeviceSession> sessions = sessionsOf("dev-a", null, 2);
        assertEquals(List.of("CONNECTED", "DISCONNECTED"), sessions.stream().map(DeviceSession::getEvent).toList());
        assertEquals("dev-a", sessions.get(0).getDeviceId());
        assertEquals("NORMAL", sessions.get(1).getReason());
        assertEquals(5, sessions.get(0).getProtocolVersion());
        assertTrue(sessions.get(0).getAddress().contains("127.0.0.1"), sessions.get(0).getAddress());
    }

    @ParameterizedTest(name = "{0} / {1} over {2}")
    @CsvSource({
            "dev-w, wrong-secret, mqttv5", "dev-w, wrong-secret, mqttv311",
            "nobody, any-secret, mqttv5", "nobody, any-secret, mqttv311"})
    void aWrongSecretOrAnUnknownDeviceIsRefusedAlike(String user, String password, String version) throws Exception {
        MosquittoPub.Result result = MosquittoPub.publish(bridge.mqttPort(), user, "devices/" + user + "/telemetry",
                READING, 1, version, login(user, password));
        assertEquals(version.equals("mqttv5") ? MQTT5_BAD_USERNAME_OR_PASSWORD : MQTT311_BAD_USERNAME_OR_PASSWORD,
                result.connackCode(), result.output());
        assertNotEquals(0, result.exitCode());
        DeviceSession refusal = sessionsOf(user, "REFUSED", 1).get(0);
        assertEquals("BAD_CREDENTIALS", refusal.getReason());
    }

    @Test
    void noCredentialsAtAllIsRefused() throws Exception {
        MosquittoPub.Result result = MosquittoPub.publish(bridge.mqttPort(), "anonymous", "devices/dev-a/telemetry", READING, 1,
                "mqttv5");
        assertEquals(MQTT5_BAD_USERNAME_OR_PASSWORD, result.connackCode(), result.output());
    }

    @ParameterizedTest(name = "client id ''{0}''")
    @CsvSource({"dev a", "dev/a", "dev+#", "x129"})
    void aClientIdOutsideTheDeviceIdAlphabetIsRefusedBeforeAnythingElse(String clientId) throws Exception {
        String id = clientId.equals("x129") ? "d".repeat(129) : clientId;
        MosquittoPub.Result v5 = MosquittoPub.publish(bridge.mqttPort(), id, "devices/dev-a/telemetry", READING, 1, "mqttv5",
                login("dev-a"));
        assertEquals(MQTT5_INVALID_CLIENT_ID, v5.connackCode(), v5.output());
        MosquittoPub.Result v3 = MosquittoPub.publish(bridge.mqttPort(), id, "devices/dev-a/telemetry", READING, 1, "mqttv311",
                login("dev-a"));
        assertEquals(MQTT311_IDENTIFIER_REJECTED, v3.connackCode(), v3.output());
    }

    @Test
    void aDeviceMayUseOnlyItsOwnIdAsClientIdAndCannotTakeAnotherDevicesSessionOver() throws Exception {
        try (RawMqttClient other = loggedIn("dev-other")) {
            MosquittoPub.Result impostor = MosquittoPub.publish(bridge.mqttPort(), "dev-other", "devices/dev-a/telemetry",
                    READING, 1, "mqttv5", login("dev-a"));
            assertEquals(MQTT5_INVALID_CLIENT_ID, impostor.connackCode(), impostor.output());
            assertFalse(other.closedWithin(Duration.ofMillis(500)), "dev-other's session is still open");
        }
    }

    @Test
    void aDeviceHasOneSessionPerBridgeTheNewestTakingTheOlderOver() throws Exception {
        try (RawMqttClient first = loggedIn("dev-twice"); RawMqttClient second = loggedIn("dev-twice")) {
            assertEquals(0x8E, first.disconnectReason(WAIT), "session taken over");
            assertFalse(second.closedWithin(Duration.ofMillis(300)));
        }
    }

    @Test
    void wrongPasswordsUnderAVictimsClientIdDoNotKeepTheVictimOut() throws Exception {
        for (int i = 0; i < 25; i++) {
            try (RawMqttClient attacker = RawMqttClient.open("127.0.0.1", bridge.mqttPort(), MqttVersion.MQTT_5)
                    .login("victim", 60, "victim", "guess-" + i)) {
                assertEquals(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD,
                        attacker.connack(WAIT).variableHeader().connectReturnCode());
            }
        }
        MosquittoPub.Result victim = MosquittoPub.publish(bridge.mqttPort(), "victim", "devices/victim/telemetry", READING, 1,
                "mqttv5", login("victim"));
        assertEquals(0, victim.connackCode(), "the victim's connect rate is its own, not the attacker's: " + victim.output());
        assertEquals(0, victim.ackReasonCode(), victim.output());
    }

    @Test
    void aDevicePublishingForAnotherGets0x87AndTheReadingIsDeadLettered() throws Exception {
        MosquittoPub.Result result = MosquittoPub.publish(bridge.mqttPort(), "dev-acl", "devices/dev-victim/telemetry", READING,
                1, "mqttv5", login("dev-acl"));
        assertEquals(0, result.connackCode(), result.output());
        assertEquals(MQTT5_NOT_AUTHORIZED, result.ackReasonCode(), result.output());
        List<DeadLetter> letters = KafkaRecords.readToEnd(kafka.bootstrapServers(), Topics.DEAD_LETTER.name(),
                Topics.DEAD_LETTER::decode).stream().filter(d -> d.getReason().equals("NOT_AUTHORIZED")).toList();
        assertEquals(1, letters.size());
        assertEquals("dev-acl", letters.get(0).getDeviceId());
        assertEquals("devices/dev-victim/telemetry", letters.get(0).getMqttTopic());
        assertTrue(rawEventsOf("dev-victim", 0).isEmpty(), "nothing written for the other device");
    }

    @Test
    void aDeviceAddedWhileTheBridgeRunsCanConnectOnceTheFileIsReloaded() throws Exception {
        String secret = addDevice("dev-new");
        MosquittoPub.Result result = Await.until("dev-new accepted after the reload", WAIT,
                () -> MosquittoPub.publish(bridge.mqttPort(), "dev-new", "devices/dev-new/telemetry", READING, 1, "mqttv311",
                        login("dev-new", secret)),
                r -> r.connackCode() == 0);
        assertTrue(result.acknowledged(), result.output());
        assertEquals(1, rawEventsOf("dev-new", 1).size());
    }

    @Test
    void removingOrReKeyingADeviceClosesItsLiveSessionWithinTheReloadInterval() throws Exception {
        try (RawMqttClient removed = loggedIn("dev-revoked"); RawMqttClient reKeyed = loggedIn("dev-rekeyed")) {
            new CredentialsFile(credentials).remove("dev-revoked");
            new CredentialsFile(credentials).add("dev-rekeyed", PasswordHash.newSecret(), PasswordHash.MIN_ITERATIONS);
            assertEquals(MQTT5_NOT_AUTHORIZED, removed.disconnectReason(WAIT));
            assertEquals(MQTT5_NOT_AUTHORIZED, reKeyed.disconnectReason(WAIT));
        }
        assertEquals("REVOKED", sessionsOf("dev-revoked", "DISCONNECTED", 1).get(0).getReason());
        MosquittoPub.Result again = MosquittoPub.publish(bridge.mqttPort(), "dev-rekeyed", "devices/dev-rekeyed/telemetry",
                READING, 1, "mqttv5", login("dev-rekeyed"));
        assertEquals(MQTT5_BAD_USERNAME_OR_PASSWORD, again.connackCode(), "the old secret is gone: " + again.output());
    }

    @Test
    void overTlsAPasswordDeviceIsAccepted() throws Exception {
        MosquittoPub.Result result = MosquittoPub.publish(bridge.tlsPort(), "dev-tls", "devices/dev-tls/telemetry",
                "{\"seq\":77,\"metrics\":{\"t\":1}}", 1, "mqttv311",
                List.of("--cafile", authority.certificate().toString(), "-u", "dev-tls", "-P", SECRETS.get("dev-tls")));
        assertEquals(0, result.connackCode(), result.output());
        assertTrue(result.acknowledged(), result.output());
        assertEquals("tls", sessionsOf("dev-tls", null, 1).get(0).getTransport());
        assertTrue(rawEventsOf("dev-tls", 1).stream().anyMatch(e -> Long.valueOf(77).equals(e.getSeq())));
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
        MosquittoPub.Result other = MosquittoPub.publish(bridge.tlsPort(), "dev-cert", "devices/dev-a/telemetry", READING, 1,
                "mqttv5", tls);
        assertEquals(MQTT5_NOT_AUTHORIZED, other.ackReasonCode(), "the certificate's device may publish only for itself: "
                + other.output());
        MosquittoPub.Result borrowed = MosquittoPub.publish(bridge.tlsPort(), "dev-a", "devices/dev-a/telemetry", READING, 1,
                "mqttv5", tls);
        assertEquals(MQTT5_INVALID_CLIENT_ID, borrowed.connackCode(), "its client id is its CN: " + borrowed.output());
    }

    @Test
    void aDeniedCertificateSerialEndsItsLiveSessionAndIsRefusedAfterwards() throws Exception {
        TestCertificates.Pair device = authority.device("dev-stolen");
        try (RawMqttClient live = RawMqttClient.open(authority.clientSockets(device), bridge.tlsPort(), MqttVersion.MQTT_5)
                .login("dev-stolen", 60, null, null)) {
            assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, live.connack(WAIT).variableHeader().connectReturnCode());
            Files.writeString(deniedCertificates, "# stolen\n" + device.serial().toString(16) + "\n");
            assertEquals(MQTT5_NOT_AUTHORIZED, live.disconnectReason(WAIT));
        }
        MosquittoPub.Result again = MosquittoPub.publish(bridge.tlsPort(), "dev-stolen", "devices/dev-stolen/telemetry", READING,
                1, "mqttv5", List.of("--cafile", authority.certificate().toString(), "--cert", device.certificate().toString(),
                        "--key", device.key().toString()));
        assertEquals(MQTT5_NOT_AUTHORIZED, again.connackCode(), again.output());
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
