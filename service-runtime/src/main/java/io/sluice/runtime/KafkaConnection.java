package io.sluice.runtime;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigException;

/**
 * How a service reaches Kafka: the brokers, and the client settings a user passes through as {@code kafka.<name>}
 * (in a settings file, {@code --set}, or {@code SLUICE_<SERVICE>_KAFKA_<NAME>}): security ({@code security.protocol},
 * {@code sasl.*}, {@code ssl.*}) and connection settings, handed to every Kafka client of the service. Settings that
 * carry Sluice's guarantees ({@code acks}, idempotence, isolation, commits, group ids) are not the user's to change
 * and are refused, as is any name Kafka's clients do not know. Put secrets ({@code sasl.jaas.config},
 * {@code ssl.*.password}) in the environment or a file, never in arguments.
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> clientSettings) {

    public static final String PREFIX = "kafka.";
    private static final Set<String> CONNECTION_SETTINGS = Set.of(CommonClientConfigs.CLIENT_DNS_LOOKUP_CONFIG,
            CommonClientConfigs.CONNECTIONS_MAX_IDLE_MS_CONFIG, CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG,
            CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG,
            CommonClientConfigs.METADATA_MAX_AGE_CONFIG, CommonClientConfigs.SEND_BUFFER_CONFIG,
            CommonClientConfigs.RECEIVE_BUFFER_CONFIG, CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG,
            CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG);

    public KafkaConnection {
        clientSettings = Map.copyOf(clientSettings);
    }

    /** Brokers only, no client settings (tools and tests on a plain local broker). */
    public static KafkaConnection of(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, Map.of());
    }

    /** The brokers and the pass-through settings of a service's configuration. */
    public static KafkaConnection of(AbstractConfig config) {
        Map<String, String> settings = new TreeMap<>();
        config.originalsWithPrefix(PREFIX).forEach((name, value) -> {
            if (!config.values().containsKey(PREFIX + name) && passesThrough(PREFIX + name)) {
                settings.put(name, String.valueOf(value));
            }
        });
        return new KafkaConnection(config.getString(CommonSettings.KAFKA_BOOTSTRAP_SERVERS), settings);
    }

    /**
     * Whether {@code key} (with its {@code kafka.} prefix) is a client setting that passes through.
     *
     * @throws ConfigException naming the key when it is a Kafka client setting Sluice keeps for itself
     */
    public static boolean passesThrough(String key) {
        if (!key.startsWith(PREFIX)) {
            return false;
        }
        String name = key.substring(PREFIX.length());
        boolean known = ProducerConfig.configNames().contains(name) || ConsumerConfig.configNames().contains(name)
                || AdminClientConfig.configNames().contains(name);
        if (!known) {
            return false;
        }
        if (name.startsWith("security.") || name.startsWith("sasl.") || name.startsWith("ssl.")
                || CONNECTION_SETTINGS.contains(name)) {
            return true;
        }
        throw new ConfigException("'" + key + "' is decided by Sluice (it carries its guarantees); only security (security.*,"
                + " sasl.*, ssl.*) and connection settings pass through to the Kafka clients");
    }

    /** A client configuration: the brokers, the pass-through settings, then the caller's own. */
    public Map<String, Object> client(Map<String, Object> own) {
        Map<String, Object> client = new HashMap<>(clientSettings);
        client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        client.putAll(own);
        return client;
    }

    @Override
    public String toString() {
        return bootstrapServers + (clientSettings.isEmpty() ? "" : " (" + clientSettings.keySet() + " set)");
    }
}
