package io.sluice.bridge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import io.sluice.bridge.auth.Authenticator;
import io.sluice.bridge.auth.CertificateDenyList;
import io.sluice.runtime.KafkaConnection;
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
    /** Null when that listener is off. */
    private final MqttServer webSocketServer;
    /** Null when that listener is off. */
    private final MqttServer tlsServer;
    private final MqttEdge edge;
    private final KafkaProducer<byte[], byte[]> producer;
    private final TelemetryIngest ingest;
    private final KafkaReachability kafka;
    private final OpsEndpoint ops;
    private final ClusterSessions cluster;

    private MqttBridge(BridgeConfig config, Vertx vertx, MqttServer server, MqttServer webSocketServer, MqttServer tlsServer,
                       MqttEdge edge, ClusterSessions cluster,
                       KafkaProducer<byte[], byte[]> producer, TelemetryIngest ingest, KafkaReachability kafka, OpsEndpoint ops) {
        this.config = config;
        this.vertx = vertx;
        this.server = server;
        this.webSocketServer = webSocketServer;
        this.tlsServer = tlsServer;
        this.edge = edge;
        this.cluster = cluster;
        this.producer = producer;
        this.ingest = ingest;
        this.kafka = kafka;
        this.ops = ops;
    }

    public static MqttBridge start(BridgeConfig config) throws Exception {
        KafkaConnection bootstrap = KafkaConnection.of(config);
        int partitions = config.getInt(BridgeConfig.KAFKA_TOPIC_PARTITIONS);
        short replication = config.getShort(BridgeConfig.KAFKA_TOPIC_REPLICATION);
        KafkaTopicsBootstrap.ensure(bootstrap, Topics.newTopics(partitions, replication), 30_000);
        List<Topic<?, ?>> written = List.of(Topics.TELEMETRY_RAW, Topics.DEAD_LETTER, Topics.DEVICE_SESSIONS);

        PrometheusMeterRegistry registry = ServiceMetrics.registry("mqtt-bridge", config.bridgeId());
        BridgeMetrics metrics = new BridgeMetrics(registry);

        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(config),
                new ByteArraySerializer(), new ByteArraySerializer());
        new KafkaClientMetrics(producer).bindTo(registry);
        awaitTopicMetadata(producer, written, 30_000);
        // One thread runs producer.send() (it can block while Kafka is unreachable), behind a bounded queue: what waits
        // for it is within max.in.flight.messages, publishes and session events alike.
        int maxInFlight = config.getInt(BridgeConfig.MAX_IN_FLIGHT);
        ThreadPoolExecutor kafkaSender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(maxInFlight + 1), runnable -> {
                    Thread thread = new Thread(runnable, "kafka-sender");
                    thread.setDaemon(true);
                    return thread;
                });
        TelemetryIngest ingest = new TelemetryIngest(producer, config.payloadLimits(), maxInFlight, metrics, kafkaSender);
        Admission.Rules rules = admissionRules(config);

        OpenSockets sockets = new OpenSockets();
        Vertx vertx = Vertx.builder().with(new VertxOptions().setMetricsOptions(new MetricsOptions().setEnabled(true)))
                .withMetrics(sockets).build();
        SessionEvents sessions = new SessionEvents(ingest, config.bridgeId(), metrics);
        MqttEdge edge = new MqttEdge(vertx, ingest, metrics, sessions, limits(config), rules, sockets);
        if (rules.passwords() != null || rules.deniedCertificates() != null) {
            ExecutorService reloads = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "credentials-reload");
                thread.setDaemon(true);
                return thread;
            });
            // One thread rereads the files, so versions apply in the order they were written; a timer tick that
            // finds the previous reload still running skips.
            java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();
            vertx.setPeriodic(config.getLong(BridgeConfig.AUTH_RELOAD_INTERVAL_MS), id -> {
                if (busy.compareAndSet(false, true)) {
                    reloads.execute(() -> {
                        try {
                            reload(rules, edge);
                        } finally {
                            busy.set(false);
                        }
                    });
                }
            });
        }
        // Reading the sessions topic from its end before any listener opens: every connection's announcement is read back.
        ClusterSessions cluster = config.getBoolean(BridgeConfig.SESSION_CLUSTER_TAKEOVER) ? new ClusterSessions(
                ClusterSessions.consumerConfig(bootstrap.client(Map.of()), config.bridgeId()), config.bridgeId(), edge.connections()) : null;
        MqttServer server = listen(vertx, edge, config, config.getInt(BridgeConfig.MQTT_PORT), Transport.TCP);
        int webSocketPort = config.getInt(BridgeConfig.MQTT_WS_PORT);
        MqttServer webSocketServer = webSocketPort < 0 ? null : listen(vertx, edge, config, webSocketPort, Transport.WEBSOCKET);
        int tlsPort = config.getInt(BridgeConfig.MQTT_TLS_PORT);
        MqttServer tlsServer = tlsPort < 0 ? null : listen(vertx, edge, config, tlsPort, Transport.TLS);

        KafkaReachability kafka = new KafkaReachability(bootstrap, 2000);
        OpsEndpoint ops = OpsEndpoint.start(config.getString(BridgeConfig.OPS_HOST), config.getInt(BridgeConfig.OPS_PORT),
                registry, () -> edge.accepting() && kafka.reachable());
        LOG.info("bridge {} listening for MQTT on {}:{}, MQTT over WebSocket on {}, MQTT over TLS on {} (PROXY protocol {}),"
                        + " health and metrics on port {}, writing to Kafka at {}",
                config.bridgeId(), config.getString(BridgeConfig.MQTT_HOST), server.actualPort(),
                webSocketServer == null ? "no port" : "port " + webSocketServer.actualPort() + " path /mqtt",
                tlsServer == null ? "no port" : "port " + tlsServer.actualPort(),
                config.getBoolean(BridgeConfig.MQTT_PROXY_PROTOCOL) ? "expected" : "off", ops.port(), bootstrap);
        return new MqttBridge(config, vertx, server, webSocketServer, tlsServer, edge, cluster, producer, ingest, kafka, ops);
    }

    /** The transports devices reach a bridge over; Vert.x serves one per server. */
    enum Transport { TCP, WEBSOCKET, TLS }

    /** One MQTT listener: plain TCP, WebSocket (path /mqtt), or TLS (optionally mutual). */
    private static MqttServer listen(Vertx vertx, MqttEdge edge, BridgeConfig config, int port, Transport transport)
            throws Exception {
        MqttServerOptions options = new MqttServerOptions()
                .setHost(config.getString(BridgeConfig.MQTT_HOST))
                .setPort(port)
                .setUseWebSocket(transport == Transport.WEBSOCKET)
                .setUseProxyProtocol(config.getBoolean(BridgeConfig.MQTT_PROXY_PROTOCOL))
                .setMaxMessageSize(maxPacketBytes(config))
                .setTimeoutOnConnect(config.getInt(BridgeConfig.MQTT_CONNECT_TIMEOUT_SECONDS));
        if (transport == Transport.WEBSOCKET) {
            // A publish of the largest payload fits one frame, as it fits one packet on TCP; and frames are not
            // compressed (as EMQX's default): a small deflated frame could inflate far past the packet limit before
            // the MQTT decoder sees it.
            options.setWebSocketMaxFrameSize(maxPacketBytes(config));
            options.setPerFrameWebSocketCompressionSupported(false).setPerMessageWebSocketCompressionSupported(false);
        }
        if (transport == Transport.TLS) {
            String cert = config.getString(BridgeConfig.MQTT_TLS_CERT_FILE);
            String key = config.getString(BridgeConfig.MQTT_TLS_KEY_FILE);
            if (cert.isEmpty() || key.isEmpty()) {
                throw new ConfigException(BridgeConfig.MQTT_TLS_PORT + " is set, so "
                        + BridgeConfig.MQTT_TLS_CERT_FILE + " and " + BridgeConfig.MQTT_TLS_KEY_FILE + " are needed");
            }
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                    .setCertPath(readableFile(BridgeConfig.MQTT_TLS_CERT_FILE, cert))
                    .setKeyPath(readableFile(BridgeConfig.MQTT_TLS_KEY_FILE, key)));
            String clientCa = config.getString(BridgeConfig.MQTT_TLS_CLIENT_CA_FILE);
            String clientAuth = config.getString(BridgeConfig.MQTT_TLS_CLIENT_AUTH);
            if (!clientCa.isEmpty() && !clientAuth.equals("none")) {
                options.setTrustOptions(new PemTrustOptions().addCertPath(readableFile(BridgeConfig.MQTT_TLS_CLIENT_CA_FILE, clientCa)))
                        .setClientAuth(clientAuth.equals("required") ? ClientAuth.REQUIRED : ClientAuth.REQUEST);
            } else if (clientAuth.equals("required")) {
                throw new ConfigException(BridgeConfig.MQTT_TLS_CLIENT_AUTH
                        + " is 'required', so " + BridgeConfig.MQTT_TLS_CLIENT_CA_FILE + " is needed");
            }
        }
        MqttServer server = MqttServer.create(vertx, options)
                .endpointHandler(edge)
                .exceptionHandler(error -> LOG.debug("MQTT connection failed: {}", error.toString()));
        return server.listen().await(30, TimeUnit.SECONDS);
    }

    /**
     * How devices prove who they are. Authentication fails closed: without a credentials file or a CA for device
     * certificates the bridge does not start, unless anonymous access is asked for explicitly.
     */
    private static Admission.Rules admissionRules(BridgeConfig config) {
        String credentials = config.getString(BridgeConfig.AUTH_CREDENTIALS_FILE);
        String denied = config.getString(BridgeConfig.AUTH_CERTIFICATE_DENY_FILE);
        boolean anonymous = config.getBoolean(BridgeConfig.AUTH_ANONYMOUS);
        boolean certificates = config.getInt(BridgeConfig.MQTT_TLS_PORT) >= 0
                && !config.getString(BridgeConfig.MQTT_TLS_CLIENT_CA_FILE).isEmpty()
                && !config.getString(BridgeConfig.MQTT_TLS_CLIENT_AUTH).equals("none");
        if (credentials.isEmpty() && !certificates && !anonymous) {
            throw new ConfigException("no way for devices to authenticate: set " + BridgeConfig.AUTH_CREDENTIALS_FILE
                    + " (./sluice device add makes it) or " + BridgeConfig.MQTT_TLS_CLIENT_CA_FILE + ", or set "
                    + BridgeConfig.AUTH_ANONYMOUS + "=true to let any client publish for any device");
        }
        if (anonymous) {
            LOG.warn("ANONYMOUS ACCESS IS ON ({}=true): clients without credentials may connect and publish for any device;"
                    + " use it on a closed test network only", BridgeConfig.AUTH_ANONYMOUS);
        }
        try {
            return new Admission.Rules(
                    credentials.isEmpty() ? null : Authenticator.load(Path.of(credentials)),
                    denied.isEmpty() ? null : CertificateDenyList.load(Path.of(denied)),
                    anonymous, config.getInt(BridgeConfig.AUTH_QUEUE_MAX),
                    new RateLimits(config.getDouble(BridgeConfig.AUTH_FAILURE_RATE_PER_ADDRESS),
                            config.getInt(BridgeConfig.AUTH_FAILURE_BURST_PER_ADDRESS)));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException("no such file: " + e.getFile());
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** Rereads the credentials and the certificate deny list, and closes the sessions they no longer admit. */
    private static void reload(Admission.Rules rules, MqttEdge edge) {
        boolean revoked = rules.passwords() != null && !rules.passwords().reloadIfChanged().isEmpty();
        boolean denied = rules.deniedCertificates() != null && rules.deniedCertificates().reloadIfChanged();
        if (revoked || denied) {
            awaitQuietly("closing revoked sessions", edge.closeRevoked());
        }
    }

    private static String readableFile(String setting, String file) {
        if (!java.nio.file.Files.isReadable(Path.of(file))) {
            throw new ConfigException(setting + ": cannot read " + file);
        }
        return file;
    }

    private static int maxPacketBytes(BridgeConfig config) {
        return 2 * config.getInt(BridgeConfig.PAYLOAD_MAX_BYTES) + 1024;
    }

    static MqttEdge.Limits limits(BridgeConfig config) {
        return new MqttEdge.Limits(
                config.getInt(BridgeConfig.MAX_CONNECTIONS),
                config.getInt(BridgeConfig.RECEIVE_MAXIMUM),
                config.getLong(BridgeConfig.MAX_IN_FLIGHT_BYTES),
                config.getLong(BridgeConfig.MAX_IN_FLIGHT_BYTES_PER_CONNECTION),
                new RateLimits(config.getDouble(BridgeConfig.CONNECT_RATE_PER_ADDRESS), config.getInt(BridgeConfig.CONNECT_BURST_PER_ADDRESS)),
                new RateLimits(config.getDouble(BridgeConfig.CONNECT_RATE_PER_DEVICE), config.getInt(BridgeConfig.CONNECT_BURST_PER_DEVICE)),
                config.getDouble(BridgeConfig.PUBLISH_RATE_PER_DEVICE),
                config.getInt(BridgeConfig.PUBLISH_BURST_PER_DEVICE),
                new RateLimits(config.getDouble(BridgeConfig.PUBLISH_RATE_PER_ADDRESS), config.getInt(BridgeConfig.PUBLISH_BURST_PER_ADDRESS)),
                new AddressRules(config.getList(BridgeConfig.ADDRESS_ALLOW), config.getList(BridgeConfig.ADDRESS_DENY)),
                maxPacketBytes(config),
                config.getInt(BridgeConfig.MQTT_KEEP_ALIVE_MAX_SECONDS));
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
        Map<String, Object> producer = KafkaConnection.of(config).client(Map.of());
        producer.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-" + config.bridgeId());
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer.put(ProducerConfig.LINGER_MS_CONFIG, config.getInt(BridgeConfig.KAFKA_LINGER_MS));
        producer.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        // send() runs on the bridge's kafka-sender thread, never on an event loop, so it may wait: while the
        // broker is unreachable the producer loses its metadata and send() waits for it. Publishes queue up
        // behind it within the in-flight bounds (connections are not read beyond them); only an outage
        // longer than this fails them (left unacknowledged for QoS 1/2, shed and counted for QoS 0).
        producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.getLong(BridgeConfig.KAFKA_OUTAGE_TOLERANCE_MS));
        producer.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                (int) Math.min(Integer.MAX_VALUE, config.getLong(BridgeConfig.KAFKA_OUTAGE_TOLERANCE_MS)));
        return producer;
    }

    public int mqttPort() {
        return server.actualPort();
    }

    /** The MQTT-over-WebSocket port, or -1 when that listener is off. */
    public int webSocketPort() {
        return webSocketServer == null ? -1 : webSocketServer.actualPort();
    }

    /** The MQTT-over-TLS port, or -1 when that listener is off. */
    public int tlsPort() {
        return tlsServer == null ? -1 : tlsServer.actualPort();
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
        String id = config.bridgeId();
        edge.stopAccepting();
        LOG.info("bridge {} draining: not ready, {} connections, {} publishes in flight", id, edge.connectionCount(),
                ingest.inFlight());
        sleep(config.getLong(BridgeConfig.DRAIN_GRACE_MS));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.getLong(BridgeConfig.DRAIN_TIMEOUT_MS));
        // Devices still connected stop being read, so that the publishes in flight are the last ones: each
        // is written and acknowledged before its device is disconnected. (No producer.flush() here: it
        // would wait for Kafka past the drain deadline when Kafka is down; linger.ms sends the batches.)
        awaitQuietly("pausing the connections", edge.stopReading());
        while (ingest.inFlight() > 0 && System.nanoTime() < deadline) {
            sleep(10);
        }
        if (ingest.inFlight() > 0) {
            LOG.warn("bridge {}: {} publishes still in flight at the drain deadline; their devices will resend them", id,
                    ingest.inFlight());
        }
        awaitQuietly("disconnecting devices", edge.disconnectAll());
        for (MqttServer listener : java.util.Arrays.asList(server, webSocketServer, tlsServer)) {
            if (listener != null) {
                awaitQuietly("closing an MQTT listener", listener.close());
            }
        }
        edge.close();
        if (cluster != null) {
            cluster.close();
        }
        producer.close(Duration.ofSeconds(10));
        awaitQuietly("closing Vert.x", vertx.close());
        kafka.close();
        ops.close();
        LOG.info("bridge {} stopped", config.bridgeId());
    }
}
