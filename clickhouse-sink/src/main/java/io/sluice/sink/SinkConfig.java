package io.sluice.sink;

import java.nio.file.Path;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

import io.sluice.clickhouse.ClickHouseEndpoint;
import io.sluice.runtime.CommonSettings;
import io.sluice.runtime.ServiceConfig;
import io.sluice.schemas.kafka.Topics;

/**
 * The settings of a ClickHouse sink: typed, documented and validated at start-up. Each key can also be
 * set from the environment as {@code SLUICE_SINK_<KEY>}. The password is never logged.
 */
public final class SinkConfig extends AbstractConfig {

    public static final String ENV_PREFIX = "SLUICE_SINK_";

    public static final String INSTANCE_ID = "instance.id";
    public static final String KAFKA_BOOTSTRAP_SERVERS = CommonSettings.KAFKA_BOOTSTRAP_SERVERS;
    public static final String KAFKA_GROUP_ID = "kafka.group.id";
    public static final String KAFKA_TOPIC_PARTITIONS = CommonSettings.KAFKA_TOPIC_PARTITIONS;
    public static final String KAFKA_TOPIC_REPLICATION = CommonSettings.KAFKA_TOPIC_REPLICATION;
    public static final String CLICKHOUSE_URL = "clickhouse.url";
    public static final String CLICKHOUSE_USER = "clickhouse.user";
    public static final String CLICKHOUSE_PASSWORD = "clickhouse.password";
    public static final String CLICKHOUSE_PASSWORD_FILE = "clickhouse.password.file";
    public static final String BATCH_MAX_ROWS = "batch.max.rows";
    public static final String BATCH_MAX_BYTES = "batch.max.bytes";
    public static final String BATCH_MAX_AGE_MS = "batch.max.age.ms";
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    public static final String KAFKA_SESSION_TIMEOUT_MS = CommonSettings.KAFKA_SESSION_TIMEOUT_MS;
    public static final String RETENTION_DAYS_TELEMETRY = "retention.days.telemetry";
    public static final String RETENTION_DAYS_REJECTED = "retention.days.rejected";
    public static final String RETENTION_DAYS_DEVICE_SESSIONS = "retention.days.device_sessions";
    public static final String RETENTION_DAYS_TELEMETRY_1M = "retention.days.telemetry_1m";
    public static final String RETENTION_DAYS_TELEMETRY_1H = "retention.days.telemetry_1h";
    public static final String RETENTION_DAYS_ANOMALIES = "retention.days.anomalies";
    public static final String RETENTION_CHECK_INTERVAL_MS = "retention.check.interval.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "retry.backoff.max.ms";
    public static final String OPS_HOST = CommonSettings.OPS_HOST;
    public static final String OPS_PORT = CommonSettings.OPS_PORT;

    public static final ConfigDef DEFINITION = CommonSettings.withGroupMembership(CommonSettings.withOps(CommonSettings.withKafka(new ConfigDef(),
                    Topics.DEFAULT_PARTITIONS), 8082)
            .define(INSTANCE_ID, Type.STRING, "", Importance.MEDIUM,
                    "This sink's name, in logs and metrics (tag replica); empty: the host name.")
            .define(KAFKA_GROUP_ID, Type.STRING, "sluice-clickhouse-sink", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Consumer group prefix of the sinks, one group per table (<prefix>-telemetry reads sluice.telemetry.raw,"
                            + " <prefix>-rejected sluice.deadletter, ...): sinks sharing it split the partitions.")
            .define(CLICKHOUSE_URL, Type.STRING, "http://127.0.0.1:8123", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "ClickHouse HTTP interface, http://host:port.")
            .define(CLICKHOUSE_USER, Type.STRING, "default", Importance.MEDIUM, "ClickHouse user.")
            .define(CLICKHOUSE_PASSWORD, Type.PASSWORD, "", Importance.MEDIUM, "ClickHouse password; never logged.")
            .define(CLICKHOUSE_PASSWORD_FILE, Type.STRING, "", Importance.MEDIUM,
                    "A file whose first line is the ClickHouse password (the native stack's way: out of arguments and"
                            + " environment); instead of clickhouse.password.")
            .define(BATCH_MAX_ROWS, Type.INT, 100_000, Range.between(1, 10_000_000), Importance.MEDIUM,
                    "A batch is inserted when it holds this many rows (or reaches batch.max.bytes or batch.max.age.ms, whichever"
                            + " comes first).")
            .define(BATCH_MAX_BYTES, Type.LONG, 32L * 1024 * 1024, Range.between(1024, 1024L * 1024 * 1024), Importance.MEDIUM,
                    "A batch is inserted when the records it holds reach this many bytes (as read from Kafka), which bounds the"
                            + " sink's memory whatever the row size.")
            .define(BATCH_MAX_AGE_MS, Type.LONG, 200L, Range.between(10, 600_000), Importance.MEDIUM,
                    "A batch is inserted when its first row has waited this long: the bound on the sink's share of"
                            + " publish-to-queryable latency; keeps inserts to about five a second per table at most.")
            .define(RETRY_BACKOFF_MS, Type.LONG, 200L, Range.between(1, 600_000), Importance.LOW,
                    "First wait before retrying a failed insert (the table's partitions paused meanwhile, nothing dropped);"
                            + " doubles at each failure, with jitter.")
            .define(RETRY_BACKOFF_MAX_MS, Type.LONG, 5_000L, Range.between(1, 3_600_000), Importance.LOW,
                    "Longest wait between two retries of a failed insert: once ClickHouse is back, the sink notices"
                            + " within this (one insert attempt per table per wait while it is down).")
            .define(RETENTION_DAYS_TELEMETRY, Type.INT, 30, Range.atLeast(0), Importance.MEDIUM,
                    "Days of sluice.telemetry kept (today included); older day partitions are dropped. 0 keeps everything.")
            .define(RETENTION_DAYS_REJECTED, Type.INT, 30, Range.atLeast(0), Importance.LOW,
                    "Days of sluice.rejected kept; 0 keeps everything.")
            .define(RETENTION_DAYS_DEVICE_SESSIONS, Type.INT, 90, Range.atLeast(0), Importance.LOW,
                    "Days of sluice.device_sessions kept; 0 keeps everything.")
            .define(RETENTION_DAYS_TELEMETRY_1M, Type.INT, 90, Range.atLeast(0), Importance.MEDIUM,
                    "Days of sluice.telemetry_1m (minute rollups) kept; 0 keeps everything.")
            .define(RETENTION_DAYS_TELEMETRY_1H, Type.INT, 730, Range.atLeast(0), Importance.MEDIUM,
                    "Days of sluice.telemetry_1h (hourly rollups) kept; 0 keeps everything.")
            .define(RETENTION_DAYS_ANOMALIES, Type.INT, 365, Range.atLeast(0), Importance.LOW,
                    "Days of sluice.anomalies kept; 0 keeps everything.")
            .define(RETENTION_CHECK_INTERVAL_MS, Type.LONG, 3_600_000L, Range.between(1000, 86_400_000), Importance.LOW,
                    "How often retention looks for partitions to drop (also once at start-up)."));

    public SinkConfig(Map<String, ?> values) {
        super(DEFINITION, values);
    }

    public static SinkConfig load(String[] args, Map<String, String> env) {
        return new SinkConfig(ServiceConfig.gather(DEFINITION, ENV_PREFIX, args, env));
    }

    public ClickHouseEndpoint clickHouse() {
        String password = getPassword(CLICKHOUSE_PASSWORD).value();
        String file = getString(CLICKHOUSE_PASSWORD_FILE);
        if (!file.isEmpty()) {
            if (!password.isEmpty()) {
                throw new ConfigException("set " + CLICKHOUSE_PASSWORD + " or " + CLICKHOUSE_PASSWORD_FILE + ", not both");
            }
            try {
                password = ClickHouseEndpoint.passwordFrom(Path.of(file));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
        }
        return new ClickHouseEndpoint(getString(CLICKHOUSE_URL), getString(CLICKHOUSE_USER), password);
    }

    /** This sink's name: {@link #INSTANCE_ID}, or the host name when it is empty. */
    public String instanceId() {
        return CommonSettings.replicaName(getString(INSTANCE_ID));
    }
}
