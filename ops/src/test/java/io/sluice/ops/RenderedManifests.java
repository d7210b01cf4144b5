package io.sluice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

import com.fasterxml.jackson.databind.JsonNode;

import io.sluice.bridge.BridgeConfig;
import io.sluice.processor.ProcessorConfig;
import io.sluice.runtime.ServiceConfig;
import io.sluice.schemas.kafka.Topics;
import io.sluice.sink.SinkConfig;

/** The objects kustomize rendered for one overlay, and what the tests ask of them. */
record RenderedManifests(String target, List<JsonNode> objects) {

    /** The value a variable set from the pod (fieldRef) or a Secret (secretKeyRef) stands for in the settings. */
    static final String FROM_THE_CLUSTER = "set-by-kubernetes";

    /** The three Sluice services, by container name, with their settings. */
    enum Tier {
        BRIDGE("mqtt-bridge", BridgeConfig.ENV_PREFIX, BridgeConfig.DEFINITION, BridgeConfig::load),
        PROCESSOR("stream-processor", ProcessorConfig.ENV_PREFIX, ProcessorConfig.DEFINITION, ProcessorConfig::load),
        SINK("clickhouse-sink", SinkConfig.ENV_PREFIX, SinkConfig.DEFINITION, SinkConfig::load);

        final String container;
        final String envPrefix;
        final ConfigDef definition;
        private final BiFunction<String[], Map<String, String>, ? extends AbstractConfig> load;

        Tier(String container, String envPrefix, ConfigDef definition,
                BiFunction<String[], Map<String, String>, ? extends AbstractConfig> load) {
            this.container = container;
            this.envPrefix = envPrefix;
            this.definition = definition;
            this.load = load;
        }

        static Tier of(JsonNode container) {
            String name = container.path("name").asText();
            return Arrays.stream(values()).filter(tier -> tier.container.equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("a container of no Sluice service: " + name));
        }

        /** The service's settings as it would read them from this container's environment (fails as it would). */
        AbstractConfig settings(JsonNode container) {
            return load.apply(new String[0], env(container));
        }

        boolean defines(String variable) {
            return definition.names().stream().anyMatch(key -> ServiceConfig.environmentVariable(envPrefix, key).equals(variable));
        }
    }

    /** A KEDA Kafka trigger watches the lag of the group that consumes for {@code target}, on the services' brokers. */
    void assertLagOfTheRightGroup(JsonNode target, JsonNode trigger, String where) {
        boolean processors = label(target).equals(label(workload(Tier.PROCESSOR)));
        String group = processors ? settings(Tier.PROCESSOR).getString(ProcessorConfig.APPLICATION_ID)
                : settings(Tier.SINK).getString(SinkConfig.KAFKA_GROUP_ID) + "-telemetry";
        assertEquals(group, trigger.path("consumerGroup").asText(), where);
        assertEquals(Topics.TELEMETRY_RAW.name(), trigger.path("topic").asText(), where);
        String services = settings(Tier.SINK).getString(SinkConfig.KAFKA_BOOTSTRAP_SERVERS);
        String host = services.substring(0, services.indexOf(':'));
        assertEquals(host + ".sluice.svc" + services.substring(services.indexOf(':')), trigger.path("bootstrapServers").asText(),
                where + ": the services' brokers, from KEDA's namespace");
    }

    /** How many objects were rendered, and the validator's verdicts on them. */
    String summary(String validatorOutput) {
        Map<String, Long> verdicts = new TreeMap<>();
        validatorOutput.lines().filter(line -> line.startsWith(target + ": "))
                .map(line -> line.substring(target.length() + 2).replaceAll(":.*", ""))
                .forEach(verdict -> verdicts.merge(verdict, 1L, Long::sum));
        Set<String> kinds = new TreeSet<>();
        objects.forEach(object -> kinds.add(object.path("kind").asText()));
        return String.format("%s: %d objects rendered, %s; kinds %s", target, objects.size(), verdicts, kinds);
    }

    boolean isDependencies() {
        return target.startsWith("dependencies/");
    }

    List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(object -> kind.equals(object.path("kind").asText())).toList();
    }

    JsonNode one(String kind, String name) {
        return objects.stream().filter(object -> kind.equals(object.path("kind").asText())
                        && name.equals(object.path("metadata").path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError(target + " has no " + kind + " " + name));
    }

    /** The Deployments and StatefulSets of Sluice's services. */
    List<JsonNode> workloads() {
        List<JsonNode> workloads = new ArrayList<>(ofKind("Deployment"));
        workloads.addAll(ofKind("StatefulSet"));
        return workloads;
    }

    /** The workload whose pods run the tier's container. */
    JsonNode workload(Tier tier) {
        List<JsonNode> running = workloads().stream().filter(workload -> containers(workload).stream()
                .anyMatch(container -> tier.container.equals(container.path("name").asText()))).toList();
        assertEquals(1, running.size(), target + ": one workload runs " + tier.container);
        return running.get(0);
    }

    JsonNode container(Tier tier) {
        return containers(workload(tier)).stream().filter(c -> tier.container.equals(c.path("name").asText())).findFirst()
                .orElseThrow();
    }

    AbstractConfig settings(Tier tier) {
        return tier.settings(container(tier));
    }

    static String label(JsonNode object) {
        return object.path("kind").asText() + "/" + object.path("metadata").path("name").asText();
    }

    static JsonNode podSpec(JsonNode workload) {
        return workload.path("spec").path("template").path("spec");
    }

    static List<JsonNode> containers(JsonNode workload) {
        return list(podSpec(workload).path("containers"));
    }

    /** The elements of a JSON array (none when it is missing). */
    static List<JsonNode> list(JsonNode array) {
        List<JsonNode> elements = new ArrayList<>();
        array.forEach(elements::add);
        return elements;
    }

    /** The element of a JSON array whose {@code name} is {@code name}. */
    static JsonNode named(JsonNode array, String name) {
        return list(array).stream().filter(element -> name.equals(element.path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("nothing named " + name + " in " + array));
    }

    /** Environment variables by name; those set from the cluster stand for {@link #FROM_THE_CLUSTER}. */
    static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new LinkedHashMap<>();
        container.path("env").forEach(variable -> env.put(variable.path("name").asText(),
                variable.has("valueFrom") ? FROM_THE_CLUSTER : variable.path("value").asText()));
        return env;
    }

    /** Whether every label of {@code selector} (a matchLabels map) is on the workload's pods. */
    static boolean selects(JsonNode selector, JsonNode workload) {
        JsonNode labels = workload.path("spec").path("template").path("metadata").path("labels");
        boolean[] all = {selector.size() > 0};
        selector.fields().forEachRemaining(label -> all[0] &= label.getValue().asText().equals(labels.path(label.getKey()).asText()));
        return all[0];
    }

    /** A container port given by number or by name. */
    static int port(JsonNode container, JsonNode port) {
        if (port.isInt()) {
            return port.asInt();
        }
        for (JsonNode declared : container.path("ports")) {
            if (port.asText().equals(declared.path("name").asText())) {
                return declared.path("containerPort").asInt();
            }
        }
        return fail(container.path("name").asText() + " has no port named " + port.asText());
    }

    private static final Pattern QUANTITY = Pattern.compile("(\\d+)(Ki|Mi|Gi)?");

    /** A memory quantity in bytes (the binary suffixes these manifests use). */
    static long bytes(JsonNode quantity) {
        Matcher matcher = QUANTITY.matcher(quantity.asText());
        assertTrue(matcher.matches(), "a memory quantity: " + quantity);
        long factor = switch (matcher.group(2) == null ? "" : matcher.group(2)) {
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            default -> 1L;
        };
        return Long.parseLong(matcher.group(1)) * factor;
    }

    /** Names of the Secrets the objects read (env, envFrom, volumes, and operators' secretKeyRef), anywhere. */
    static void secretNames(JsonNode node, List<String> names) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                switch (field.getKey()) {
                    case "secretKeyRef", "secretRef" -> names.add(field.getValue().path("name").asText());
                    case "secretName" -> names.add(field.getValue().asText());
                    case "secret" -> {
                        if (field.getValue().has("name")) {
                            names.add(field.getValue().path("name").asText());
                        }
                    }
                    default -> { }
                }
                secretNames(field.getValue(), names);
            });
        } else if (node.isArray()) {
            node.forEach(element -> secretNames(element, names));
        }
    }
}
