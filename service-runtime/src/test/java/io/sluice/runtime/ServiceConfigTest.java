package io.sluice.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceConfigTest {

    private static final ConfigDef DEFINITION = new ConfigDef()
            .define("mqtt.port", ConfigDef.Type.INT, 1883, ConfigDef.Range.between(0, 65535), ConfigDef.Importance.HIGH, "port")
            .define("bridge.id", ConfigDef.Type.STRING, "b", ConfigDef.Importance.LOW, "id")
            .define("clickhouse.password", ConfigDef.Type.PASSWORD, "", ConfigDef.Importance.LOW, "secret");

    private static AbstractConfig load(String[] args, Map<String, String> env) {
        return new AbstractConfig(DEFINITION, ServiceConfig.gather(DEFINITION, "SLUICE_X_", args, env), false);
    }

    @Test
    void argumentsOverrideEnvironmentWhichOverridesTheFileWhichOverridesDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("x.properties");
        Files.writeString(file, "mqtt.port=1000\nbridge.id=from-file\n");
        AbstractConfig fileOnly = load(new String[] {"--config", file.toString()}, Map.of());
        assertEquals(1000, fileOnly.getInt("mqtt.port"));
        AbstractConfig withEnv = load(new String[] {"--config", file.toString()}, Map.of("SLUICE_X_MQTT_PORT", "2000"));
        assertEquals(2000, withEnv.getInt("mqtt.port"));
        assertEquals("from-file", withEnv.getString("bridge.id"));
        AbstractConfig withArgs = load(new String[] {"--config", file.toString(), "--set", "mqtt.port=3000"},
                Map.of("SLUICE_X_MQTT_PORT", "2000"));
        assertEquals(3000, withArgs.getInt("mqtt.port"));
        assertEquals(1883, load(new String[0], Map.of()).getInt("mqtt.port"));
    }

    @Test
    void mistakesAreOneLineErrorsNamingTheSetting() {
        assertTrue(assertThrows(ConfigException.class, () -> load(new String[] {"--set", "mqtt.prot=1"}, Map.of()))
                .getMessage().contains("mqtt.prot"));
        assertTrue(assertThrows(ConfigException.class, () -> load(new String[] {"--set", "mqtt.port=99999"}, Map.of()))
                .getMessage().contains("mqtt.port"));
        assertThrows(ConfigException.class, () -> load(new String[] {"--config"}, Map.of()));
        assertThrows(ConfigException.class, () -> load(new String[] {"--config", "/no/such/file"}, Map.of()));
        assertThrows(ConfigException.class, () -> load(new String[] {"--bogus"}, Map.of()));
    }

    @Test
    void passwordsNeverShowInTheConfigsText() {
        AbstractConfig config = load(new String[] {"--set", "clickhouse.password=hunter2"}, Map.of());
        assertEquals("hunter2", config.getPassword("clickhouse.password").value());
        assertFalse(config.values().toString().contains("hunter2"));
        assertFalse(config.toString().contains("hunter2"));
    }

    @Test
    void environmentVariableNamesFollowTheKeys() {
        assertEquals("SLUICE_BRIDGE_KAFKA_BOOTSTRAP_SERVERS",
                ServiceConfig.environmentVariable("SLUICE_BRIDGE_", "kafka.bootstrap.servers"));
    }
}
