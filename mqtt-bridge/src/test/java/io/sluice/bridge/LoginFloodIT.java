package io.sluice.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.sluice.bridge.auth.CredentialsFile;
import io.sluice.bridge.auth.PasswordHash;
import io.sluice.testing.KafkaTestCluster;
import io.sluice.testing.RawMqttClient;

/**
 * Authentication cannot be starved: a bridge whose entries cost a real slow hash (200,000 PBKDF2 iterations, as a
 * person's password would), flooded with wrong passwords from other loopback addresses (127.0.0.2 and up are
 * loopback on Linux), still lets a device in within a bound; an unknown device costs what a wrong password costs.
 */
class LoginFloodIT {

    private static final int ITERATIONS = 200_000;
    private static final int QUEUE_MAX = 16;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    private static KafkaTestCluster kafka;
    private static MqttBridge bridge;
    private static final Map<String, String> SECRETS = new java.util.HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaTestCluster.start();
        Path credentials = dir.resolve("credentials");
        for (String device : List.of("target", "known", "fresh")) {
            String secret = PasswordHash.newSecret();
            new CredentialsFile(credentials).add(device, secret, ITERATIONS);
            SECRETS.put(device, secret);
        }
        bridge = MqttBridge.start(new BridgeConfig(Map.ofEntries(
                Map.entry(BridgeConfig.BRIDGE_ID, "flooded"),
                Map.entry(BridgeConfig.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers()),
                Map.entry(BridgeConfig.MQTT_HOST, "127.0.0.1"), Map.entry(BridgeConfig.MQTT_PORT, 0),
                Map.entry(BridgeConfig.MQTT_WS_PORT, -1),
                Map.entry(BridgeConfig.AUTH_CREDENTIALS_FILE, credentials.toString()),
                Map.entry(BridgeConfig.AUTH_QUEUE_MAX, QUEUE_MAX),
                Map.entry(BridgeConfig.OPS_HOST, "127.0.0.1"), Map.entry(BridgeConfig.OPS_PORT, 0),
                Map.entry(BridgeConfig.DRAIN_GRACE_MS, 0L))));
    }

    @AfterAll
    static void stop() throws Exception {
        bridge.close();
        kafka.close();
    }

    /** Logs a device in from 127.0.0.1 and says how long the CONNACK took. */
    private static Duration login(String device, String password, MqttConnectReturnCode expected) throws Exception {
        long start = System.nanoTime();
        try (RawMqttClient client = RawMqttClient.open("127.0.0.1", bridge.mqttPort(), MqttVersion.MQTT_5)
                .login(device, 60, device, password)) {
            assertEquals(expected, client.connack(WAIT).variableHeader().connectReturnCode());
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Sends {@code count} CONNECTs with wrong passwords from {@code address}, all at once; the caller reads the answers. */
    private static List<RawMqttClient> flood(String address, int count) throws Exception {
        List<RawMqttClient> attackers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            // half guess the target's password, half rotate through device ids that do not exist
            String user = i % 2 == 0 ? "target" : "bot-" + address + "-" + i;
            attackers.add(RawMqttClient.open(address, bridge.mqttPort(), MqttVersion.MQTT_5).login(user, 60, user, "guess-" + i));
        }
        return attackers;
    }

    private static Map<MqttConnectReturnCode, Integer> answers(List<RawMqttClient> attackers) throws Exception {
        Map<MqttConnectReturnCode, Integer> counts = new EnumMap<>(MqttConnectReturnCode.class);
        for (RawMqttClient attacker : attackers) {
            counts.merge(attacker.connack(WAIT).variableHeader().connectReturnCode(), 1, Integer::sum);
            attacker.close();
        }
        return counts;
    }

    private static long medianMillis(List<Duration> times) {
        return times.stream().mapToLong(Duration::toMillis).sorted().toArray()[times.size() / 2];
    }

    @Test
    void anUnknownDeviceTakesAsLongAsAWrongPassword() throws Exception {
        List<Duration> wrong = new ArrayList<>();
        List<Duration> unknown = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            wrong.add(login("target", "wrong-" + i, MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD));
            unknown.add(login("ghost-" + i, "wrong", MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD));
            Thread.sleep(1000); // within the address's failed-login rate (1 a second)
        }
        double ratio = (double) medianMillis(unknown) / Math.max(1, medianMillis(wrong));
        assertTrue(ratio > 0.5 && ratio < 2, "unknown device " + medianMillis(unknown) + " ms, wrong password "
                + medianMillis(wrong) + " ms: the answer's time must not tell which devices exist");
    }

    @Test
    void aFloodOfWrongPasswordsFromOneAddressDoesNotHoldADeviceBack() throws Exception {
        List<RawMqttClient> attackers = flood("127.0.0.2", 300);
        Duration fresh = login("fresh", SECRETS.get("fresh"), MqttConnectReturnCode.CONNECTION_ACCEPTED);
        Map<MqttConnectReturnCode, Integer> answers = answers(attackers);
        assertTrue(fresh.toMillis() < 5_000, "a device never seen before logged in after " + fresh.toMillis()
                + " ms while 300 wrong passwords arrived from one address; the attacker got " + answers);
        assertTrue(answers.getOrDefault(MqttConnectReturnCode.CONNECTION_REFUSED_CONNECTION_RATE_EXCEEDED, 0) > 250,
                "beyond its failed-login budget the address is refused before any hash: " + answers);
    }

    @Test
    void aFloodFromManyAddressesMeetsABoundedQueueAndAKnownDeviceSkipsIt() throws Exception {
        login("known", SECRETS.get("known"), MqttConnectReturnCode.CONNECTION_ACCEPTED);
        List<RawMqttClient> attackers = new ArrayList<>();
        for (int address = 10; address < 40; address++) {
            attackers.addAll(flood("127.0.0." + address, 10));
        }
        List<Duration> known = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            known.add(login("known", SECRETS.get("known"), MqttConnectReturnCode.CONNECTION_ACCEPTED));
        }
        Map<MqttConnectReturnCode, Integer> answers = answers(attackers);
        assertTrue(known.stream().allMatch(t -> t.toMillis() < 1_000), "a device whose secret was verified before logs in at"
                + " once, whatever waits for a hash: " + known + "; the attackers got " + answers);
        assertTrue(answers.getOrDefault(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY, 0) > 0,
                "over " + QUEUE_MAX + " waiting checks, CONNECTs are told the server is busy: " + answers);
    }
}
