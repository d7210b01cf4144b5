package io.sluice.ops;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.common.config.ConfigDef;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.sluice.bridge.BridgeConfig;
import io.sluice.processor.ProcessorConfig;
import io.sluice.runtime.ServiceConfig;
import io.sluice.sink.SinkConfig;

/**
 * docker-compose.yml and the files around it, read as the compose contract tests need them: services, their
 * environment, mounts, memory limits; and the Sluice services' own setting definitions, so that no default (an ops port,
 * a drain time) is typed twice.
 */
final class ComposeFile {

    static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath().normalize();

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** A Sluice service as the Dockerfile builds it: its build target, its settings, its environment prefix. */
    record SluiceService(String target, ConfigDef definition, String envPrefix, String idKey) {

        /** The value a compose service runs with: its environment's, or the definition's default. */
        String setting(JsonNode service, String key) {
            String variable = ServiceConfig.environmentVariable(envPrefix, key);
            String configured = environment(service).get(variable);
            return configured != null ? configured : String.valueOf(definition.defaultValues().get(key));
        }

        int opsPort(JsonNode service) {
            return Integer.parseInt(setting(service, "ops.port"));
        }
    }

    static final List<SluiceService> SLUICE_SERVICES = List.of(
            new SluiceService("mqtt-bridge", BridgeConfig.DEFINITION, BridgeConfig.ENV_PREFIX, BridgeConfig.BRIDGE_ID),
            new SluiceService("stream-processor", ProcessorConfig.DEFINITION, ProcessorConfig.ENV_PREFIX, ProcessorConfig.INSTANCE_ID),
            new SluiceService("clickhouse-sink", SinkConfig.DEFINITION, SinkConfig.ENV_PREFIX, SinkConfig.INSTANCE_ID));

    private ComposeFile() {
    }

    static String read(String relative) {
        try {
            return Files.readString(ROOT.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode yaml(String relative) {
        try {
            return YAML.readTree(ROOT.resolve(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode compose() {
        return yaml("docker-compose.yml");
    }

    static Map<String, JsonNode> services() {
        Map<String, JsonNode> services = new LinkedHashMap<>();
        compose().get("services").fields().forEachRemaining(e -> services.put(e.getKey(), e.getValue()));
        return services;
    }

    static JsonNode service(String name) {
        JsonNode service = compose().path("services").get(name);
        assertNotNull(service, "docker-compose.yml has a service " + name);
        return service;
    }

    /** The compose service built as {@code target} of the Dockerfile; exactly one. */
    static String serviceBuilding(String target) {
        List<String> names = services().entrySet().stream()
                .filter(e -> target.equals(e.getValue().path("build").path("target").asText())).map(Map.Entry::getKey).toList();
        assertTrue(names.size() == 1, "one compose service builds " + target + ", not " + names);
        return names.get(0);
    }

    static Map<String, String> environment(JsonNode service) {
        Map<String, String> environment = new LinkedHashMap<>();
        JsonNode node = service.path("environment");
        if (node.isArray()) {
            node.forEach(entry -> {
                String[] pair = entry.asText().split("=", 2);
                environment.put(pair[0], pair.length > 1 ? pair[1] : "");
            });
        } else {
            node.fields().forEachRemaining(e -> environment.put(e.getKey(), e.getValue().asText()));
        }
        return environment;
    }

    static int replicas(JsonNode service) {
        return service.path("deploy").path("replicas").asInt(1);
    }

    /** {@code source:target[:mode]} of each entry of {@code volumes}, short syntax. */
    static List<String[]> mounts(JsonNode service) {
        List<String[]> mounts = new ArrayList<>();
        service.path("volumes").forEach(v -> mounts.add(v.asText().split(":")));
        return mounts;
    }

    /** Where in the container {@code source} (a path relative to the compose file, or a volume name) is mounted. */
    static Optional<String[]> mountOf(JsonNode service, String source) {
        return mounts(service).stream().filter(m -> m[0].equals(source)).findFirst();
    }

    /** The image's tag: {@code haproxy:3.2} gives {@code 3.2}. */
    static String tag(JsonNode service) {
        String image = service.path("image").asText();
        int colon = image.lastIndexOf(':');
        assertTrue(colon > 0 && !image.contains("@"), "an image pinned by tag: " + image);
        return image.substring(colon + 1);
    }

    /** Docker's memory sizes: 512m, 1g, 1073741824, 64k. */
    static long bytes(String size) {
        Matcher m = Pattern.compile("(\\d+)([bkmg]?)b?").matcher(size.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            fail("not a memory size: " + size);
        }
        long unit = switch (m.group(2)) {
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            default -> 1L;
        };
        return Long.parseLong(m.group(1)) * unit;
    }

    /** Compose durations: 30s, 1m30s, 1500ms. */
    static long millis(String duration) {
        Matcher part = Pattern.compile("(\\d+)(ms|h|m|s)").matcher(duration.trim());
        long total = 0;
        int end = 0;
        while (part.find() && part.start() == end) {
            long n = Long.parseLong(part.group(1));
            total += switch (part.group(2)) {
                case "h" -> n * 3_600_000;
                case "m" -> n * 60_000;
                case "s" -> n * 1000;
                default -> n;
            };
            end = part.end();
        }
        assertTrue(end > 0 && end == duration.trim().length(), "not a duration: " + duration);
        return total;
    }

    /** The heap a JVM may take under {@code limit} bytes, from -Xmx or -XX:MaxRAMPercentage in {@code options}. */
    static long heap(String options, long limit) {
        Matcher xmx = Pattern.compile("-Xmx(\\d+[kmgKMG]?)").matcher(options);
        if (xmx.find()) {
            return bytes(xmx.group(1));
        }
        Matcher percentage = Pattern.compile("-XX:MaxRAMPercentage=(\\d+(\\.\\d+)?)").matcher(options);
        assertTrue(percentage.find(), "a heap bound (-Xmx or -XX:MaxRAMPercentage): '" + options + "'");
        return (long) (limit * Double.parseDouble(percentage.group(1)) / 100);
    }

    /** The lines of one section of an HAProxy configuration ({@code backend mqtt_bridges}), without comments. */
    static List<String> haproxySection(String config, String header) {
        List<String> lines = new ArrayList<>();
        boolean in = false;
        for (String line : config.split("\n")) {
            String text = line.replaceAll("#.*", "").strip();
            if (!line.startsWith(" ") && !line.startsWith("\t") && !text.isEmpty()) {
                in = text.equals(header);
            } else if (in && !text.isEmpty()) {
                lines.add(text);
            }
        }
        assertTrue(!lines.isEmpty(), "haproxy-compose.cfg has a section '" + header + "'");
        return lines;
    }
}
