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

    public static final ConfigDef DEFINITION = CommonSettings.withOps(CommonSettings.withKafka(new ConfigDef(),
                    Topics.DEFAULT_PARTITIONS), 8080)
            .define(BRIDGE_ID, Type.STRING, "bridge-1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "This bridge's name: in logs, metrics and its Kafka client id.")
            .define(KAFKA_LINGER_MS, Type.INT, 5, Range.between(0, 1000), Importance.LOW,
                    "How long the producer waits to fill a batch; adds at most this much to publish-to-ack latency.")
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
                    Importance.LOW, "Most metrics one payload may carry.")
            .define(TS_MAX_PAST_MS, Type.LONG, PayloadLimits.DEFAULT_MAX_PAST_MS, Range.atLeast(0), Importance.LOW,
                    "How far in the past a reading's ts may lie, relative to when the bridge received it.")
            .define(TS_MAX_FUTURE_MS, Type.LONG, PayloadLimits.DEFAULT_MAX_FUTURE_MS, Range.atLeast(0), Importance.LOW,
                    "How far in the future a reading's ts may lie (device clock drift).")
            .define(MAX_IN_FLIGHT, Type.INT, 100_000, Range.between(1, 10_000_000), Importance.MEDIUM,
                    "Most publishes this bridge holds while waiting for Kafka; beyond it QoS 0 is shed (counted) and QoS 1/2 refused.")
            .define(DRAIN_GRACE_MS, Type.LONG, 2000L, Range.between(0, 60_000), Importance.MEDIUM,
                    "On shutdown, how long the bridge stays up reporting not-ready before disconnecting devices, so that"
                            + " the balancer stops sending it new connections (HAProxy here: 2 failed checks 500 ms apart).")
            .define(DRAIN_TIMEOUT_MS, Type.LONG, 15_000L, Range.between(0, 600_000), Importance.MEDIUM,
                    "On shutdown, how long to wait for in-flight publishes to be written to Kafka and acknowledged.");

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
}
