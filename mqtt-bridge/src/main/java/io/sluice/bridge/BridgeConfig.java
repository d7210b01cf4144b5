package io.sluice.bridge;

import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

import io.sluice.runtime.CommonSettings;
import io.sluice.runtime.ServiceConfig;
import io.sluice.schemas.kafka.Topics;
import io.sluice.schemas.mqtt.PayloadLimits;

/**
 * The settings of an MQTT bridge: typed, documented and validated at start-up. Each key can also be
 * set from the environment as {@code SLUICE_BRIDGE_<KEY>} (see {@link ServiceConfig}).
 */
public final class BridgeConfig extends AbstractConfig {

    public static final String ENV_PREFIX = "SLUICE_BRIDGE_";

    public static final String BRIDGE_ID = "bridge.id";
    public static final String KAFKA_BOOTSTRAP_SERVERS = CommonSettings.KAFKA_BOOTSTRAP_SERVERS;
    public static final String KAFKA_LINGER_MS = "kafka.linger.ms";
    public static final String KAFKA_OUTAGE_TOLERANCE_MS = "kafka.outage.tolerance.ms";
    public static final String KAFKA_TOPIC_PARTITIONS = CommonSettings.KAFKA_TOPIC_PARTITIONS;
    public static final String KAFKA_TOPIC_REPLICATION = CommonSettings.KAFKA_TOPIC_REPLICATION;
    public static final String MQTT_HOST = "mqtt.host";
    public static final String MQTT_PORT = "mqtt.port";
    public static final String MQTT_PROXY_PROTOCOL = "mqtt.proxy.protocol";
    public static final String MQTT_WS_PORT = "mqtt.ws.port";
    public static final String OPS_HOST = CommonSettings.OPS_HOST;
    public static final String OPS_PORT = CommonSettings.OPS_PORT;
    public static final String PAYLOAD_MAX_BYTES = "payload.max.bytes";
    public static final String PAYLOAD_MAX_METRICS = "payload.max.metrics";
    public static final String TS_MAX_PAST_MS = "ts.max.past.ms";
    public static final String TS_MAX_FUTURE_MS = "ts.max.future.ms";
    public static final String MAX_IN_FLIGHT = "max.in.flight.messages";
    public static final String DRAIN_GRACE_MS = "drain.grace.ms";
    public static final String DRAIN_TIMEOUT_MS = "drain.timeout.ms";
    public static final String MQTT_TLS_PORT = "mqtt.tls.port";
    public static final String MQTT_TLS_CERT_FILE = "mqtt.tls.cert.file";
    public static final String MQTT_TLS_KEY_FILE = "mqtt.tls.key.file";
    public static final String MQTT_TLS_CLIENT_CA_FILE = "mqtt.tls.client.ca.file";
    public static final String MQTT_TLS_CLIENT_AUTH = "mqtt.tls.client.auth";
    public static final String AUTH_CREDENTIALS_FILE = "auth.credentials.file";
    public static final String AUTH_RELOAD_INTERVAL_MS = "auth.reload.interval.ms";
    public static final String AUTH_ANONYMOUS = "auth.anonymous";
    public static final String SESSION_CLUSTER_TAKEOVER = "session.cluster.takeover";
    public static final String AUTH_QUEUE_MAX = "auth.queue.max";
    public static final String AUTH_CERTIFICATE_DENY_FILE = "auth.certificate.deny.file";
    public static final String AUTH_FAILURE_RATE_PER_ADDRESS = "limits.auth.failure.rate.per.address";
    public static final String AUTH_FAILURE_BURST_PER_ADDRESS = "limits.auth.failure.burst.per.address";
    public static final String MQTT_CONNECT_TIMEOUT_SECONDS = "mqtt.connect.timeout.seconds";
    public static final String MQTT_KEEP_ALIVE_MAX_SECONDS = "mqtt.keep.alive.max.seconds";
    public static final String ADDRESS_ALLOW = "mqtt.address.allow";
    public static final String ADDRESS_DENY = "mqtt.address.deny";
    public static final String MAX_CONNECTIONS = "mqtt.max.connections";
    public static final String RECEIVE_MAXIMUM = "mqtt.receive.maximum";
    public static final String CONNECT_RATE_PER_ADDRESS = "limits.connect.rate.per.address";
    public static final String CONNECT_BURST_PER_ADDRESS = "limits.connect.burst.per.address";
    public static final String CONNECT_RATE_PER_DEVICE = "limits.connect.rate.per.device";
    public static final String CONNECT_BURST_PER_DEVICE = "limits.connect.burst.per.device";
    public static final String PUBLISH_RATE_PER_DEVICE = "limits.publish.rate.per.device";
    public static final String PUBLISH_BURST_PER_DEVICE = "limits.publish.burst.per.device";
    public static final String PUBLISH_RATE_PER_ADDRESS = "limits.publish.rate.per.address";
    public static final String PUBLISH_BURST_PER_ADDRESS = "limits.publish.burst.per.address";
    public static final String MAX_IN_FLIGHT_BYTES = "max.in.flight.bytes";
    public static final String MAX_IN_FLIGHT_BYTES_PER_CONNECTION = "max.in.flight.bytes.per.connection";

    public static final ConfigDef DEFINITION = CommonSettings.withOps(CommonSettings.withKafka(new ConfigDef(),
                    Topics.DEFAULT_PARTITIONS), 8080)
            .define(BRIDGE_ID, Type.STRING, "", Importance.MEDIUM,
                    "This bridge's name: in logs, metrics (tag replica) and its Kafka client id; empty: the host name.")
            .define(KAFKA_LINGER_MS, Type.INT, 5, Range.between(0, 1000), Importance.LOW,
                    "How long the producer waits to fill a batch; adds at most this much to publish-to-ack latency.")
            .define(KAFKA_OUTAGE_TOLERANCE_MS, Type.LONG, 180_000L, Range.between(1000, 3_600_000), Importance.MEDIUM,
                    "How long a publish may wait for an unreachable Kafka (the producer's max.block.ms and"
                            + " delivery.timeout.ms) before it counts as not written; meanwhile acknowledgements wait.")
            .define(MQTT_HOST, Type.STRING, "0.0.0.0", Importance.HIGH, "Address the MQTT listener binds to.")
            .define(MQTT_PORT, Type.INT, 1883, Range.between(0, 65535), Importance.HIGH,
                    "TCP port of the MQTT listener (0 picks a free one).")
            .define(MQTT_WS_PORT, Type.INT, 8083, Range.between(-1, 65535), Importance.MEDIUM,
                    "Port of the MQTT-over-WebSocket listener (path /mqtt, subprotocol mqtt), on mqtt.host; 0 picks a free one,"
                            + " -1 turns it off.")
            .define(MQTT_PROXY_PROTOCOL, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Expect the PROXY protocol (v1 or v2) header from a balancer such as HAProxy, so the bridge sees each device's real address.")
            .define(PAYLOAD_MAX_BYTES, Type.INT, PayloadLimits.DEFAULT_MAX_PAYLOAD_BYTES, Range.between(16, 16 * 1024 * 1024),
                    Importance.MEDIUM, "Largest telemetry payload accepted; larger ones are dead-lettered (TOO_LARGE).")
            .define(PAYLOAD_MAX_METRICS, Type.INT, PayloadLimits.DEFAULT_MAX_METRICS, Range.between(1, 100_000),
                    Importance.LOW, "Most metrics one JSON payload, or records one SenML pack, may carry; more are dead-lettered"
                            + " (TOO_MANY_METRICS).")
            .define(TS_MAX_PAST_MS, Type.LONG, PayloadLimits.DEFAULT_MAX_PAST_MS, Range.atLeast(0), Importance.LOW,
                    "How far in the past a reading's ts may lie, relative to when the bridge received it; older readings are"
                            + " dead-lettered (TIMESTAMP_OUT_OF_RANGE).")
            .define(TS_MAX_FUTURE_MS, Type.LONG, PayloadLimits.DEFAULT_MAX_FUTURE_MS, Range.atLeast(0), Importance.LOW,
                    "How far in the future a reading's ts may lie (device clock drift); later readings are dead-lettered"
                            + " (TIMESTAMP_OUT_OF_RANGE).")
            .define(MAX_IN_FLIGHT, Type.INT, 100_000, Range.between(1, 10_000_000), Importance.MEDIUM,
                    "Most publishes this bridge holds while waiting for Kafka; beyond it QoS 0 is shed (counted) and QoS 1/2 refused.")
            .define(DRAIN_GRACE_MS, Type.LONG, 2000L, Range.between(0, 60_000), Importance.MEDIUM,
                    "On shutdown, how long the bridge stays up reporting not-ready before disconnecting devices, so that"
                            + " the balancer stops sending it new connections (HAProxy here: 2 failed checks 500 ms apart).")
            .define(DRAIN_TIMEOUT_MS, Type.LONG, 15_000L, Range.between(0, 600_000), Importance.MEDIUM,
                    "On shutdown, how long to wait for in-flight publishes to be written to Kafka and acknowledged.")
            .define(MQTT_TLS_PORT, Type.INT, -1, Range.between(-1, 65535), Importance.MEDIUM,
                    "Port of the MQTT-over-TLS listener (8883 by convention); 0 picks a free one, -1 turns it off.")
            .define(MQTT_TLS_CERT_FILE, Type.STRING, "", Importance.MEDIUM,
                    "PEM certificate chain the TLS listener presents.")
            .define(MQTT_TLS_KEY_FILE, Type.STRING, "", Importance.MEDIUM, "PEM private key (PKCS#8) of that certificate.")
            .define(MQTT_TLS_CLIENT_CA_FILE, Type.STRING, "", Importance.MEDIUM,
                    "PEM certificates of the CAs that sign device certificates; with it, a device certificate's CN is its device id.")
            .define(MQTT_TLS_CLIENT_AUTH, Type.STRING, "request", ConfigDef.ValidString.in("none", "request", "required"),
                    Importance.MEDIUM, "Device certificates on the TLS listener: none, request (optional) or required (mutual TLS).")
            .define(AUTH_CREDENTIALS_FILE, Type.STRING, "", Importance.HIGH,
                    "Credentials file (lines '<device id> <pbkdf2-sha256 hash>', made by ./sluice device add): a device logs"
                            + " in with its id as username and client id. Without it (and without device certificates) the"
                            + " bridge refuses to start unless auth.anonymous is true.")
            .define(AUTH_ANONYMOUS, Type.BOOLEAN, false, Importance.HIGH,
                    "Admit clients that present no credentials, as any device (for a closed test network only; logged as a"
                            + " warning at start).")
            .define(SESSION_CLUSTER_TAKEOVER, Type.BOOLEAN, true, Importance.MEDIUM,
                    "One session per client id across the bridges: a client id connecting to another bridge closes its"
                            + " session here (MQTT 5: DISCONNECT 0x8E), as a second connection to this bridge does. The bridges"
                            + " learn of each other's connections from the sessions topic, within about a second.")
            .define(AUTH_RELOAD_INTERVAL_MS, Type.LONG, 2000L, Range.between(100, 3_600_000), Importance.LOW,
                    "How often the credentials file and the certificate deny list are checked for changes; sessions of"
                            + " devices removed or re-keyed, or of denied certificates, are closed then.")
            .define(AUTH_QUEUE_MAX, Type.INT, 512, Range.between(1, 1_000_000), Importance.LOW,
                    "Most CONNECTs waiting for a password check (a slow hash, two at a time); more are refused with 0x89"
                            + " (server busy). A device whose secret was verified before skips the queue.")
            .define(AUTH_CERTIFICATE_DENY_FILE, Type.STRING, "", Importance.MEDIUM,
                    "File of device certificate serial numbers (hexadecimal, one per line) refused although their CA"
                            + " signed them; reread like the credentials file.")
            .define(AUTH_FAILURE_RATE_PER_ADDRESS, Type.DOUBLE, 1.0, Range.atLeast(0), Importance.LOW,
                    "Failed logins per second one source address may have (0: no limit; a success refunds its token); over it"
                            + " its CONNECTs are refused with 0x9F before any password check.")
            .define(AUTH_FAILURE_BURST_PER_ADDRESS, Type.INT, 10, Range.atLeast(1), Importance.LOW,
                    "Failed logins one source address may have at once before its rate applies.")
            .define(MQTT_CONNECT_TIMEOUT_SECONDS, Type.INT, 10, Range.between(1, 600), Importance.LOW,
                    "How long a new connection may stay silent before CONNECT; it is closed then.")
            .define(MQTT_KEEP_ALIVE_MAX_SECONDS, Type.INT, 300, Range.between(1, 65_535), Importance.LOW,
                    "The longest keep-alive a device may have: one asking for none (0) or longer is held to this (MQTT 5:"
                            + " told as Server Keep Alive in CONNACK) and disconnected after 1.5 times it in silence.")
            .define(ADDRESS_ALLOW, Type.LIST, "", Importance.MEDIUM,
                    "CIDR ranges devices may connect from (empty: any address not denied).")
            .define(ADDRESS_DENY, Type.LIST, "", Importance.MEDIUM, "CIDR ranges refused (MQTT 5 reason 0x8A, banned).")
            .define(MAX_CONNECTIONS, Type.INT, 16_000, Range.between(1, 1_000_000), Importance.MEDIUM,
                    "Most connections this bridge holds, counting sockets that have not sent CONNECT yet; more are refused"
                            + " with 0x89 (server busy).")
            .define(RECEIVE_MAXIMUM, Type.INT, 256, Range.between(1, 65535), Importance.MEDIUM,
                    "Most unacknowledged QoS 1/2 publishes per connection: announced to MQTT 5 devices in CONNACK; an"
                            + " MQTT 3.1.1 connection is not read further until it is under it.")
            .define(CONNECT_RATE_PER_ADDRESS, Type.DOUBLE, 1000.0, Range.atLeast(0), Importance.LOW,
                    "Connections per second one source address may open (0: no limit); over it, 0x9F (connection rate exceeded).")
            .define(CONNECT_BURST_PER_ADDRESS, Type.INT, 10_000, Range.atLeast(1), Importance.LOW,
                    "Connections one source address may open at once before its rate applies.")
            .define(CONNECT_RATE_PER_DEVICE, Type.DOUBLE, 1.0, Range.atLeast(0), Importance.LOW,
                    "Connections per second one device may open, counted once it proved who it is (0: no limit); over it,"
                            + " 0x9F (connection rate exceeded).")
            .define(CONNECT_BURST_PER_DEVICE, Type.INT, 20, Range.atLeast(1), Importance.LOW,
                    "Connections one device may open at once before its rate applies.")
            .define(PUBLISH_RATE_PER_DEVICE, Type.DOUBLE, 1000.0, Range.atLeast(0), Importance.LOW,
                    "Publishes per second one connection may send (0: no limit); over it the bridge stops reading the"
                            + " connection until it is within the rate (back-pressure, nothing dropped).")
            .define(PUBLISH_BURST_PER_DEVICE, Type.INT, 2000, Range.atLeast(1), Importance.LOW,
                    "Publishes one connection may send at once before its rate applies.")
            .define(PUBLISH_RATE_PER_ADDRESS, Type.DOUBLE, 0.0, Range.atLeast(0), Importance.LOW,
                    "Publishes per second all connections from one source address may send together (0: no limit).")
            .define(PUBLISH_BURST_PER_ADDRESS, Type.INT, 10_000, Range.atLeast(1), Importance.LOW,
                    "Publishes one source address may send at once before its rate applies.")
            .define(MAX_IN_FLIGHT_BYTES, Type.LONG, 64L * 1024 * 1024, Range.atLeast(1024), Importance.MEDIUM,
                    "Most payload bytes this bridge holds while waiting for Kafka; over it no connection is read and"
                            + " QoS 0 publishes are shed (counted).")
            .define(MAX_IN_FLIGHT_BYTES_PER_CONNECTION, Type.LONG, 1024L * 1024, Range.atLeast(1024), Importance.MEDIUM,
                    "Most payload bytes one connection may have waiting for Kafka; over it that connection is not read.");

    public BridgeConfig(Map<String, ?> values) {
        super(DEFINITION, values);
    }

    public static BridgeConfig load(String[] args, Map<String, String> env) {
        return new BridgeConfig(ServiceConfig.gather(DEFINITION, ENV_PREFIX, args, env));
    }

    public PayloadLimits payloadLimits() {
        return new PayloadLimits(getInt(PAYLOAD_MAX_BYTES), getInt(PAYLOAD_MAX_METRICS),
                getLong(TS_MAX_PAST_MS), getLong(TS_MAX_FUTURE_MS));
    }

    /** This bridge's name: {@link #BRIDGE_ID}, or the host name when it is empty. */
    public String bridgeId() {
        return CommonSettings.replicaName(getString(BRIDGE_ID));
    }
}
