package io.sluice.runtime;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Where a service's settings come from, in one place. Lowest to highest precedence:
 * <ol>
 *   <li>the defaults of the service's {@link ConfigDef};</li>
 *   <li>a properties file, named by {@code --config FILE} or the {@code SLUICE_CONFIG} variable;</li>
 *   <li>environment variables: key {@code mqtt.port} of service prefix {@code SLUICE_BRIDGE_} is read
 *       from {@code SLUICE_BRIDGE_MQTT_PORT} (dots and dashes become underscores, letters upper case);</li>
 *   <li>{@code --set key=value} arguments.</li>
 * </ol>
 * Only keys the {@link ConfigDef} defines are taken, and Kafka client settings passed through as {@code kafka.<name>}
 * ({@link KafkaConnection}); an unknown key in a file, argument or the service's environment is an error, so a typo
 * never goes unnoticed. Values are then parsed and validated by the {@link ConfigDef}.
 */
public final class ServiceConfig {

    private ServiceConfig() {
    }

    /** The raw settings for {@code definition}, gathered from every source. */
    public static Map<String, Object> gather(ConfigDef definition, String envPrefix, String[] args, Map<String, String> env) {
        Map<String, Object> values = new HashMap<>();
        String file = env.get("SLUICE_CONFIG");
        Map<String, String> overrides = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> file = argument(args, ++i, "--config");
                case "--set" -> {
                    String pair = argument(args, ++i, "--set");
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        throw new ConfigException("--set takes key=value, got '" + pair + "'");
                    }
                    overrides.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
                default -> throw new ConfigException("unknown argument '" + args[i] + "' (expected --config FILE or --set key=value)");
            }
        }
        if (file != null) {
            values.putAll(known(definition, readProperties(Path.of(file)), "file " + file));
        }
        for (String key : definition.names()) {
            String variable = environmentVariable(envPrefix, key);
            if (env.containsKey(variable)) {
                values.put(key, env.get(variable));
            }
        }
        String kafkaVariables = envPrefix + "KAFKA_";
        env.forEach((variable, value) -> {
            if (variable.startsWith(kafkaVariables) && !definedVariable(definition, envPrefix, variable)) {
                String key = KafkaConnection.PREFIX + variable.substring(kafkaVariables.length()).toLowerCase(Locale.ROOT)
                        .replace('_', '.');
                values.putAll(known(definition, Map.of(key, value), "the environment (" + variable + ")"));
            }
        });
        values.putAll(known(definition, overrides, "--set"));
        return values;
    }

    /** The environment variable that sets {@code key} for a service whose variables start with {@code envPrefix}. */
    public static String environmentVariable(String envPrefix, String key) {
        return envPrefix + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static boolean definedVariable(ConfigDef definition, String envPrefix, String variable) {
        return definition.names().stream().anyMatch(key -> environmentVariable(envPrefix, key).equals(variable));
    }

    private static Map<String, String> known(ConfigDef definition, Map<String, String> values, String source) {
        for (String key : values.keySet()) {
            if (!definition.names().contains(key) && !KafkaConnection.passesThrough(key)) {
                throw new ConfigException("unknown setting '" + key + "' in " + source);
            }
        }
        return values;
    }

    private static String argument(String[] args, int index, String flag) {
        if (index >= args.length) {
            throw new ConfigException(flag + " needs a value");
        }
        return args[index];
    }

    private static Map<String, String> readProperties(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> values = new HashMap<>();
        properties.forEach((k, v) -> values.put(k.toString().strip(), v.toString().strip()));
        return values;
    }
}
