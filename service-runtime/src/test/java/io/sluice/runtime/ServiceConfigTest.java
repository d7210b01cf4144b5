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
    private static final ConfigDef WITH_KAFKA = CommonSettings.withKafka(new ConfigDef(), 12);

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
    void kafkaSecurityAndConnectionSettingsPassThroughToEveryClientAndOthersAreRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("k.properties");
        Files.writeString(file, "kafka.security.protocol=SASL_SSL\nkafka.sasl.mechanism=SCRAM-SHA-512\n");
        Map<String, Object> gathered = ServiceConfig.gather(WITH_KAFKA, "SLUICE_X_",
                new String[] {"--config", file.toString(), "--set", "kafka.ssl.truststore.location=/etc/ca.p12"},
                Map.of("SLUICE_X_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                        "SLUICE_X_KAFKA_BOOTSTRAP_SERVERS", "broker:9093"));
        KafkaConnection kafka = KafkaConnection.of(new AbstractConfig(WITH_KAFKA, gathered, false));
        assertEquals("broker:9093", kafka.bootstrapServers());
        Map<String, Object> client = kafka.client(Map.of("client.id", "x"));
        assertEquals("SASL_SSL", client.get("security.protocol"));
        assertEquals("SCRAM-SHA-512", client.get("sasl.mechanism"));
        assertEquals("/etc/ca.p12", client.get("ssl.truststore.location"));
        assertTrue(String.valueOf(client.get("sasl.jaas.config")).startsWith("org.apache.kafka"));
        assertEquals("broker:9093", client.get("bootstrap.servers"));
        assertFalse(kafka.toString().contains("ScramLoginModule"), "the settings' values are not shown: " + kafka);

        ConfigException guarded = assertThrows(ConfigException.class,
                () -> ServiceConfig.gather(WITH_KAFKA, "SLUICE_X_", new String[] {"--set", "kafka.acks=1"}, Map.of()));
        assertTrue(guarded.getMessage().contains("decided by Sluice"), guarded.getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> ServiceConfig.gather(WITH_KAFKA, "SLUICE_X_", new String[0],
                Map.of("SLUICE_X_KAFKA_SECURITY_PROTOKOL", "SSL"))).getMessage().contains("kafka.security.protokol"));
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
