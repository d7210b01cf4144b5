package io.sluice.bridge;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import io.sluice.runtime.KafkaReachability;
import io.sluice.runtime.KafkaTopicsBootstrap;
import io.sluice.runtime.OpsEndpoint;
import io.sluice.runtime.ServiceMetrics;
import io.sluice.schemas.kafka.Topic;
import io.sluice.schemas.kafka.Topics;

/**
 * One running MQTT bridge: the MQTT listener, the Kafka producer behind it, and its health and
 * metrics endpoint. Ready once Kafka is reachable and the listener is up; closing it stops taking
 * connections first, then lets in-flight writes finish and flushes the producer.
 */
public final class MqttBridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttBridge.class);

    private final BridgeConfig config;
    private final Vertx vertx;
    private final MqttServer server;
    private final MqttServer webSocketServer;
    private final MqttEdge edge;
    private final KafkaProducer<byte[], byte[]> producer;
    private final TelemetryIngest ingest;
    private final KafkaReachability kafka;
    private final OpsEndpoint ops;

    private MqttBridge(BridgeConfig config, Vertx vertx, MqttServer server, MqttServer webSocketServer, MqttEdge edge,
                       KafkaProducer<byte[], byte[]> producer, TelemetryIngest ingest, KafkaReachability kafka, OpsEndpoint ops) {
        this.config = config;
        this.vertx = vertx;
        this.server = server;
        this.webSocketServer = webSocketServer;
        this.edge = edge;
        this.producer = producer;
        this.ingest = ingest;
        this.kafka = kafka;
        this.ops = ops;
    }

    public static MqttBridge start(BridgeConfig config) throws Exception {
        String bootstrap = config.getString(BridgeConfig.KAFKA_BOOTSTRAP_SERVERS);
        int partitions = config.getInt(BridgeConfig.KAFKA_TOPIC_PARTITIONS);
        short replication = config.getShort(BridgeConfig.KAFKA_TOPIC_REPLICATION);
        List<Topic<?, ?>> written = List.of(Topics.TELEMETRY_RAW, Topics.DEAD_LETTER);
        KafkaTopicsBootstrap.ensure(bootstrap, written.stream().map(t -> t.newTopic(partitions, replication)).toList(), 30_000);

        PrometheusMeterRegistry registry = ServiceMetrics.registry("mqtt-bridge", config.getString(BridgeConfig.BRIDGE_ID));
        BridgeMetrics metrics = new BridgeMetrics(registry);

        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(config),
                new ByteArraySerializer(), new ByteArraySerializer());
        new KafkaClientMetrics(producer).bindTo(registry);
        awaitTopicMetadata(producer, written, 30_000);
        TelemetryIngest ingest = new TelemetryIngest(producer, config.payloadLimits(),
                config.getInt(BridgeConfig.MAX_IN_FLIGHT), metrics);
        MqttEdge edge = new MqttEdge(ingest, metrics);

        Vertx vertx = Vertx.vertx();
        MqttServer server = listen(vertx, edge, config, config.getInt(BridgeConfig.MQTT_PORT), false);
        int webSocketPort = config.getInt(BridgeConfig.MQTT_WS_PORT);
        MqttServer webSocketServer = webSocketPort < 0 ? null : listen(vertx, edge, config, webSocketPort, true);

        KafkaReachability kafka = new KafkaReachability(bootstrap, 2000);
        OpsEndpoint ops = OpsEndpoint.start(config.getString(BridgeConfig.OPS_HOST), config.getInt(BridgeConfig.OPS_PORT),
                registry, () -> edge.accepting() && kafka.reachable());
        LOG.info("bridge {} listening for MQTT on {}:{} and MQTT over WebSocket on {} (PROXY protocol {}),"
                        + " health and metrics on port {}, writing to Kafka at {}",
                config.getString(BridgeConfig.BRIDGE_ID), config.getString(BridgeConfig.MQTT_HOST), server.actualPort(),
                webSocketServer == null ? "no port" : "port " + webSocketServer.actualPort() + " path /mqtt",
                config.getBoolean(BridgeConfig.MQTT_PROXY_PROTOCOL) ? "expected" : "off", ops.port(), bootstrap);
        return new MqttBridge(config, vertx, server, webSocketServer, edge, producer, ingest, kafka, ops);
    }

    /** One MQTT listener; Vert.x serves MQTT over TCP or over WebSocket (path /mqtt), one transport per server. */
    private static MqttServer listen(Vertx vertx, MqttEdge edge, BridgeConfig config, int port, boolean webSocket)
            throws Exception {
        MqttServerOptions options = new MqttServerOptions()
                .setHost(config.getString(BridgeConfig.MQTT_HOST))
                .setPort(port)
                .setUseWebSocket(webSocket)
                .setUseProxyProtocol(config.getBoolean(BridgeConfig.MQTT_PROXY_PROTOCOL))
                .setMaxMessageSize(2 * config.getInt(BridgeConfig.PAYLOAD_MAX_BYTES) + 1024);
        MqttServer server = MqttServer.create(vertx, options)
                .endpointHandler(edge)
                .exceptionHandler(error -> LOG.debug("MQTT connection failed: {}", error.toString()));
        return server.listen().await(30, TimeUnit.SECONDS);
    }

    /**
     * Fetches the metadata of the topics the bridge writes, so that send() finds it cached and
     * never waits for it on an event loop.
     */
    private static void awaitTopicMetadata(KafkaProducer<byte[], byte[]> producer, List<Topic<?, ?>> topics, long timeoutMs)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        for (Topic<?, ?> topic : topics) {
            while (true) {
                try {
                    producer.partitionsFor(topic.name());
                    break;
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new IllegalStateException("no metadata for topic " + topic.name() + " within " + timeoutMs + " ms", e);
                    }
                    Thread.sleep(50);
                }
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitQuietly(String what, io.vertx.core.Future<?> future) {
        try {
            future.await(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warn("{} took longer than 10 s; going on", what);
        }
    }

    static Map<String, Object> producerConfig(BridgeConfig config) {
        Map<String, Object> producer = new HashMap<>();
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(BridgeConfig.KAFKA_BOOTSTRAP_SERVERS));
        producer.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-" + config.getString(BridgeConfig.BRIDGE_ID));
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer.put(ProducerConfig.LINGER_MS_CONFIG, config.getInt(BridgeConfig.KAFKA_LINGER_MS));
        producer.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        // send() runs on an event loop: it must never wait long. Topic metadata is fetched at start-up
        // and cached, so only a full buffer can make send() wait, and then it fails fast; the publish
        // is left unacknowledged (QoS 1/2) or shed and counted (QoS 0).
        producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20);
        return producer;
    }

    public int mqttPort() {
        return server.actualPort();
    }

    /** The MQTT-over-WebSocket port, or -1 when that listener is off. */
    public int webSocketPort() {
        return webSocketServer == null ? -1 : webSocketServer.actualPort();
    }

    public int opsPort() {
        return ops.port();
    }

    /**
     * Drains and stops the bridge: it reports not-ready and refuses new connections, waits
     * {@code drain.grace.ms} for the balancer to notice, lets every in-flight write reach Kafka and its
     * acknowledgement reach the device (up to {@code drain.timeout.ms}), disconnects the devices (MQTT 5:
     * reason 0x8B, server shutting down), then closes the listener and flushes and closes the producer.
     */
    @Override
    public void close() {
        String id = config.getString(BridgeConfig.BRIDGE_ID);
        edge.stopAccepting();
        LOG.info("bridge {} draining: not ready, {} connections, {} publishes in flight", id, edge.connectionCount(),
                ingest.inFlight());
        sleep(config.getLong(BridgeConfig.DRAIN_GRACE_MS));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.getLong(BridgeConfig.DRAIN_TIMEOUT_MS));
        while (ingest.inFlight() > 0 && System.nanoTime() < deadline) {
            producer.flush();
            sleep(10);
        }
        if (ingest.inFlight() > 0) {
            LOG.warn("bridge {}: {} publishes still in flight at the drain deadline; their devices will resend them", id,
                    ingest.inFlight());
        }
        awaitQuietly("disconnecting devices", edge.disconnectAll());
        awaitQuietly("closing the MQTT listener", server.close());
        if (webSocketServer != null) {
            awaitQuietly("closing the MQTT over WebSocket listener", webSocketServer.close());
        }
        producer.close(Duration.ofSeconds(10));
        awaitQuietly("closing Vert.x", vertx.close());
        kafka.close();
        ops.close();
        LOG.info("bridge {} stopped", config.getString(BridgeConfig.BRIDGE_ID));
    }
}
