package io.sluice.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.sluice.testing.ClickHouseTestServer;
import io.sluice.testing.FreePorts;
import io.sluice.testing.HaproxyTestServer;
import io.sluice.testing.KafkaBrokerProcess;
import io.sluice.testing.ServiceJar;

/**
 * The native stack's processes as {@code ./sluice up} runs them, on free loopback ports: a Kafka broker and a ClickHouse
 * server with the stack's own configuration (ClickHouse with a password, as the native stack's), the shaded jars of one
 * sink, one processor and two bridges (authenticated from {@code home/credentials}, behind HAProxy with the PROXY
 * protocol), and HAProxy. Its state folder {@code home} holds what {@code .sluice/} holds on the native stack: the
 * credentials file, the ClickHouse password and the services' logs.
 */
final class DocsStack implements AutoCloseable {

    final Path home;
    final KafkaBrokerProcess kafka;
    final ClickHouseTestServer clickHouse;
    final String clickHousePassword;
    private final Map<String, ServiceJar> services = new LinkedHashMap<>();
    private HaproxyTestServer haproxy;

    private DocsStack(Path home, KafkaBrokerProcess kafka, ClickHouseTestServer clickHouse, String clickHousePassword) {
        this.home = home;
        this.kafka = kafka;
        this.clickHouse = clickHouse;
        this.clickHousePassword = clickHousePassword;
    }

    static DocsStack start(Path home) throws Exception {
        Path logs = Files.createDirectories(home.resolve("logs"));
        Path credentials = home.resolve("credentials");
        Files.writeString(credentials, "# one device per line, its id and secret hash: ./sluice device add|remove|list\n");
        byte[] random = new byte[24];
        new java.security.SecureRandom().nextBytes(random);
        String password = java.util.HexFormat.of().formatHex(random);
        Path passwordFile = Files.writeString(home.resolve("clickhouse-password"), password);
        KafkaBrokerProcess kafka = KafkaBrokerProcess.start();
        DocsStack stack;
        try {
            stack = new DocsStack(home, kafka, ClickHouseTestServer.start(password), password);
        } catch (Exception e) {
            kafka.close();
            throw e;
        }
        try {
            String bootstrap = "kafka.bootstrap.servers=" + kafka.bootstrapServers();
            stack.add(logs, "sink-1", "clickhouse-sink", List.of(bootstrap, "instance.id=sink-1",
                    "clickhouse.url=" + stack.clickHouse.url(), "clickhouse.password.file=" + passwordFile));
            stack.add(logs, "processor-1", "stream-processor", List.of(bootstrap, "instance.id=processor-1",
                    "state.dir=" + home.resolve("streams/processor-1")));
            List<HaproxyTestServer.Backend> backends = new ArrayList<>();
            for (String bridge : List.of("bridge-1", "bridge-2")) {
                int mqtt = FreePorts.next();
                ServiceJar service = stack.add(logs, bridge, "mqtt-bridge", List.of(bootstrap, "bridge.id=" + bridge,
                        "mqtt.host=127.0.0.1", "mqtt.port=" + mqtt, "mqtt.ws.port=-1", "mqtt.proxy.protocol=true",
                        "auth.credentials.file=" + credentials));
                backends.add(new HaproxyTestServer.Backend(bridge, mqtt, FreePorts.next(), service.opsPort()));
            }
            stack.haproxy = HaproxyTestServer.start(backends);
            return stack;
        } catch (Exception e) {
            stack.close();
            throw e;
        }
    }

    private ServiceJar add(Path logs, String name, String module, List<String> settings) throws IOException {
        ServiceJar service = ServiceJar.start(module, name, logs, "info", settings);
        services.put(name, service);
        return service;
    }

    /** HAProxy's MQTT port: where devices connect, 1883 on the native stack. */
    int mqttPort() {
        return haproxy.mqttPort();
    }

    /** A service's health and metrics port. */
    int opsPort(String name) {
        return services.get(name).opsPort();
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
