package io.sluice.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.sluice.bridge.BridgeConfig;
import io.sluice.bridge.MqttBridge;
import io.sluice.processor.ProcessorConfig;
import io.sluice.processor.StreamProcessor;
import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.clickhouse.ClickHouseQueries;
import io.sluice.sink.ClickHouseSink;
import io.sluice.sink.SinkConfig;
import io.sluice.testing.HaproxyTestServer;
import io.sluice.testing.PipelineServers;

/**
 * The whole Sluice topology on given Kafka and ClickHouse servers, as {@code ./sluice up} runs it:
 * two bridges behind a real HAProxy (leastconn, readiness checks, PROXY v2), a processor and a sink,
 * every port a free loopback one.
 */
final class SluiceStack implements AutoCloseable {

    private final List<AutoCloseable> parts;
    private final List<MqttBridge> bridges;
    private final HaproxyTestServer haproxy;
    private final ClickHouseQueries clickHouse;

    private SluiceStack(List<AutoCloseable> parts, List<MqttBridge> bridges, HaproxyTestServer haproxy,
                        ClickHouseQueries clickHouse) {
        this.parts = parts;
        this.bridges = bridges;
        this.haproxy = haproxy;
        this.clickHouse = clickHouse;
    }

    static SluiceStack start(PipelineServers servers) throws Exception {
        List<AutoCloseable> parts = new ArrayList<>();
        try {
            parts.add(ClickHouseSink.start(new SinkConfig(Map.of(
                    SinkConfig.KAFKA_BOOTSTRAP_SERVERS, servers.kafkaBootstrapServers(),
                    SinkConfig.CLICKHOUSE_URL, servers.clickHouseUrl(),
                    SinkConfig.CLICKHOUSE_USER, servers.clickHouseUser(),
                    SinkConfig.CLICKHOUSE_PASSWORD, servers.clickHousePassword(),
                    SinkConfig.OPS_HOST, "127.0.0.1", SinkConfig.OPS_PORT, 0))));
            Path state = Files.createTempDirectory("sluice-streams-");
            parts.add(StreamProcessor.start(new ProcessorConfig(Map.of(
                    ProcessorConfig.KAFKA_BOOTSTRAP_SERVERS, servers.kafkaBootstrapServers(),
                    ProcessorConfig.STATE_DIR, state.toString(),
                    ProcessorConfig.OPS_HOST, "127.0.0.1", ProcessorConfig.OPS_PORT, 0))));
            List<MqttBridge> bridges = new ArrayList<>();
            List<HaproxyTestServer.Backend> backends = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                MqttBridge bridge = startBridge(servers, "bridge-" + i, 0, 0, 0);
                parts.add(bridge);
                bridges.add(bridge);
                backends.add(new HaproxyTestServer.Backend("bridge-" + i, bridge.mqttPort(), bridge.webSocketPort(), bridge.opsPort()));
            }
            HaproxyTestServer haproxy = HaproxyTestServer.start(backends);
            parts.add(haproxy);
            ClickHouseQueries clickHouse = new ClickHouseQueries(new ClickHouseEndpoint(servers.clickHouseUrl(),
                    servers.clickHouseUser(), servers.clickHousePassword()));
            return new SluiceStack(parts, bridges, haproxy, clickHouse);
        } catch (Exception e) {
            closeAll(parts);
            throw e;
        }
    }

    private static MqttBridge startBridge(PipelineServers servers, String id, int mqttPort, int webSocketPort, int opsPort)
            throws Exception {
        return MqttBridge.start(new BridgeConfig(Map.of(
                BridgeConfig.BRIDGE_ID, id,
                BridgeConfig.KAFKA_BOOTSTRAP_SERVERS, servers.kafkaBootstrapServers(),
                BridgeConfig.MQTT_HOST, "127.0.0.1", BridgeConfig.MQTT_PORT, mqttPort, BridgeConfig.MQTT_WS_PORT, webSocketPort,
                BridgeConfig.MQTT_PROXY_PROTOCOL, true,
                BridgeConfig.DRAIN_GRACE_MS, 1000L, BridgeConfig.AUTH_ANONYMOUS, true,
                BridgeConfig.OPS_HOST, "127.0.0.1", BridgeConfig.OPS_PORT, opsPort)));
    }

    /**
     * Restarts one bridge as a rolling restart does: drains and stops it (not ready, acknowledgements
     * finished, devices disconnected), then starts a new one on the same ports, behind the same HAProxy.
     */
    void restartBridge(int index, PipelineServers servers) throws Exception {
        MqttBridge old = bridges.get(index);
        int mqttPort = old.mqttPort();
        int webSocketPort = old.webSocketPort();
        int opsPort = old.opsPort();
        old.close();
        MqttBridge fresh = startBridge(servers, "bridge-" + (index + 1), mqttPort, webSocketPort, opsPort);
        bridges.set(index, fresh);
        parts.set(parts.indexOf(old), fresh);
    }

    /** MQTT through HAProxy: where devices connect. */
    int mqttPort() {
        return haproxy.mqttPort();
    }

    HaproxyTestServer haproxy() {
        return haproxy;
    }

    List<MqttBridge> bridges() {
        return bridges;
    }

    ClickHouseQueries clickHouse() {
        return clickHouse;
    }

    @Override
    public void close() throws Exception {
        closeAll(parts);
    }

    /** Closes in reverse order of start: the balancer first, ClickHouse's sink last. */
    private static void closeAll(List<AutoCloseable> parts) throws Exception {
        Exception first = null;
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
