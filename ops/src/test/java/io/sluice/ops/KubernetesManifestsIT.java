package io.sluice.ops;

import static io.sluice.ops.RenderedManifests.bytes;
import static io.sluice.ops.RenderedManifests.containers;
import static io.sluice.ops.RenderedManifests.label;
import static io.sluice.ops.RenderedManifests.list;
import static io.sluice.ops.RenderedManifests.named;
import static io.sluice.ops.RenderedManifests.podSpec;
import static io.sluice.ops.RenderedManifests.port;
import static io.sluice.ops.RenderedManifests.selects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.apache.kafka.common.config.AbstractConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.sluice.bridge.BridgeConfig;
import io.sluice.ops.RenderedManifests.Tier;
import io.sluice.processor.ProcessorConfig;
import io.sluice.schemas.kafka.Topics;
import io.sluice.sink.SinkConfig;

/**
 * The Kubernetes manifests of ops/kubernetes, checked offline (docs/kubernetes.md, "What the tests check"): every overlay
 * and every component (on top of overlays/production) renders with kustomize; every object validates against its kind's
 * schema with no unknown field (ops/kubernetes/validate/validate.mjs), kinds with no offline schema reported by name; and
 * what the services need of Kubernetes holds, read with the services' own settings classes.
 */
class KubernetesManifestsIT {

    private static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath().normalize();
    private static final Path KUBERNETES = ROOT.resolve("ops/kubernetes");
    private static final Path WORK = ROOT.resolve("ops/target/kubernetes");

    private static KubernetesToolchain tools;
    private static final Map<String, RenderedManifests> RENDERED = new LinkedHashMap<>();
    private static KubernetesToolchain.Run validation;

    @BeforeAll
    static void renderAndValidate() throws Exception {
        long start = System.nanoTime();
        tools = KubernetesToolchain.prepare(KUBERNETES.resolve("validate"));
        long rendering = System.nanoTime();
        for (String group : List.of("overlays", "dependencies")) {
            for (Path dir : kustomizations(KUBERNETES.resolve(group))) {
                if (!dir.endsWith("base")) {
                    render(group + "/" + dir.getFileName(), dir);
                }
            }
        }
        for (Path component : kustomizations(KUBERNETES.resolve("components"))) {
            render("overlays/production+components/" + component.getFileName(), withComponent(component));
        }
        long validating = System.nanoTime();
        validation = validate(List.copyOf(RENDERED.values()));
        RENDERED.values().forEach(rendered -> System.out.println(rendered.summary(validation.stdout())));
        validation.stdout().lines().filter(line -> line.contains("not schema-checked")).distinct().forEach(System.out::println);
        System.out.printf("tools ready in %.1f s, rendered in %.1f s, validated in %.1f s%n", (rendering - start) / 1e9,
                (validating - rendering) / 1e9, (System.nanoTime() - validating) / 1e9);
    }

    @Test
    void everyOverlayRendersAndEveryObjectValidates() {
        assertTrue(RENDERED.keySet().containsAll(List.of("overlays/small", "overlays/production", "overlays/production-keda",
                "dependencies/small", "dependencies/production", "overlays/production+components/keda",
                "overlays/production+components/prometheus-operator")), RENDERED.keySet().toString());
        List<String> lines = validation.stdout().lines().toList();
        assertEquals(List.of(), lines.stream().filter(line -> line.contains(": invalid:")).toList(), validation.stderr());
        assertEquals(0, validation.exitCode(), validation.stderr());
        for (RenderedManifests rendered : RENDERED.values()) {
            assertFalse(rendered.objects().isEmpty(), rendered.target());
            assertEquals(rendered.objects().size(), lines.stream().filter(line -> line.startsWith(rendered.target() + ": ")).count(),
                    rendered.target() + ": one verdict per object");
            if (!rendered.isDependencies()) {
                assertEquals(List.of(), lines.stream().filter(line -> line.startsWith(rendered.target() + ": not schema-checked")).toList(),
                        "Sluice's own objects are all schema-checked");
            }
        }
    }

    @Test
    void theValidatorRejectsWhatTheSchemasForbid() throws Exception {
        ObjectNode misspelt = RENDERED.get("overlays/small").workload(Tier.BRIDGE).deepCopy();
        ObjectNode container = (ObjectNode) misspelt.at("/spec/template/spec/containers/0");
        container.set("readinesProbe", container.remove("readinessProbe"));
        ObjectNode mistyped = RENDERED.get("overlays/production-keda").one("ScaledObject", "stream-processor").deepCopy();
        ((ObjectNode) mistyped.get("spec")).put("maxReplicaCount", "12");
        ObjectNode unnamed = RENDERED.get("dependencies/small").one("Kafka", "sluice").deepCopy();
        ((ObjectNode) unnamed.get("metadata")).remove("name");
        KubernetesToolchain.Run run = validate(List.of(new RenderedManifests("broken", List.of(misspelt, mistyped, unnamed))));
        assertEquals(1, run.exitCode(), run.stdout());
        assertTrue(run.stdout().contains("invalid: Deployment/mqtt-bridge: Object literal may only specify known properties,"
                + " and '\"readinesProbe\"' does not exist"), run.stdout());
        assertTrue(run.stdout().contains("invalid: ScaledObject/stream-processor: /spec/maxReplicaCount must be integer"), run.stdout());
        assertTrue(run.stdout().contains("invalid: Kafka/(no name): metadata.name undefined"), run.stdout());
    }

    @Test
    void everySluiceContainerIsProbedOnItsOpsPortAndScrapedThere() {
        forEachSluiceContainer((rendered, workload, container) -> {
            String where = rendered.target() + " " + label(workload);
            int ops = Tier.of(container).settings(container).getInt("ops.port");
            assertEquals(ops, port(container, TextNode.valueOf("ops")), where + ": the port named ops is ops.port");
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                JsonNode get = container.path(probe).path("httpGet");
                String path = probe.equals("readinessProbe") ? "/health/ready" : "/health/live";
                assertEquals(path, get.path("path").asText(), where + " " + probe);
                assertEquals(ops, port(container, get.path("port")), where + " " + probe + " port");
            }
            JsonNode annotations = workload.at("/spec/template/metadata/annotations");
            assertEquals("true", annotations.path("prometheus.io/scrape").asText(), where);
            assertEquals(Integer.toString(ops), annotations.path("prometheus.io/port").asText(), where);
            assertEquals("/metrics", annotations.path("prometheus.io/path").asText(), where);
        });
    }

    @Test
    void everySettingInTheEnvironmentIsOneTheServiceKnowsAndAccepts() {
        forEachSluiceContainer((rendered, workload, container) -> {
            Tier tier = Tier.of(container);
            String where = rendered.target() + " " + label(workload);
            for (String variable : RenderedManifests.env(container).keySet()) {
                if (variable.startsWith("SLUICE_")) {
                    // An unknown SLUICE_BRIDGE_X is ignored (an unknown ..._KAFKA_X stops the bridge): a typo would not show.
                    assertTrue(tier.defines(variable) || variable.startsWith(tier.envPrefix + "KAFKA_"),
                            where + ": " + variable + " is no setting of " + tier.container);
                }
            }
            tier.settings(container); // throws ConfigException as the service would, on an invalid or unknown Kafka setting
            // Service links would add variables such as SLUICE_BRIDGE_KAFKA_PORT for a Service named sluice-bridge-kafka.
            assertFalse(podSpec(workload).path("enableServiceLinks").asBoolean(true), where + ": enableServiceLinks false");
            JsonNode resources = container.path("resources");
            assertTrue(resources.at("/limits/memory").isTextual() && resources.at("/requests/cpu").isTextual(), where + ": " + resources);
        });
    }

    @Test
    void everyTierHasOneDisruptionBudgetAndProductionKeepsMostReplicasUp() {
        forEachSluiceOverlay(rendered -> {
            for (Tier tier : Tier.values()) {
                JsonNode workload = rendered.workload(tier);
                List<JsonNode> budgets = rendered.ofKind("PodDisruptionBudget").stream()
                        .filter(budget -> selects(budget.at("/spec/selector/matchLabels"), workload)).toList();
                assertEquals(1, budgets.size(), rendered.target() + ": one PodDisruptionBudget for " + tier.container);
                assertEquals(1, budgets.get(0).at("/spec/maxUnavailable").asInt(), rendered.target() + " " + label(budgets.get(0)));
                if (rendered.target().startsWith("overlays/production")) {
                    int replicas = workload.at("/spec/replicas").asInt();
                    assertTrue(replicas >= (tier == Tier.BRIDGE || tier == Tier.PROCESSOR ? 3 : 2),
                            rendered.target() + ": a drain keeps " + tier.container + " serving (" + replicas + " replicas)");
                }
            }
        });
    }

    @Test
    void processorsKeepTheirStateOnAVolumeUnderTheirPodName() {
        forEachSluiceOverlay(rendered -> {
            JsonNode processors = rendered.workload(Tier.PROCESSOR);
            String where = rendered.target() + " " + label(processors);
            assertEquals("StatefulSet", processors.path("kind").asText(), where);
            String stateDir = rendered.settings(Tier.PROCESSOR).getString(ProcessorConfig.STATE_DIR);
            JsonNode container = rendered.container(Tier.PROCESSOR);
            Set<String> claims = new TreeSet<>();
            list(processors.at("/spec/volumeClaimTemplates")).forEach(claim -> claims.add(claim.at("/metadata/name").asText()));
            assertTrue(list(container.path("volumeMounts")).stream().anyMatch(mount -> claims.contains(mount.path("name").asText())
                    && stateDir.equals(mount.path("mountPath").asText())),
                    where + ": a volumeClaimTemplate mounted at state.dir " + stateDir);
            assertEquals("metadata.name", named(container.path("env"), "SLUICE_PROCESSOR_INSTANCE_ID").at("/valueFrom/fieldRef/fieldPath")
                    .asText(), where + ": instance.id is the pod name");
            JsonNode governing = rendered.one("Service", processors.at("/spec/serviceName").asText());
            assertEquals("None", governing.at("/spec/clusterIP").asText(), where + ": a headless governing Service");
            assertTrue(selects(governing.at("/spec/selector"), processors), where);
        });
    }

    @Test
    void bridgesAreReachedThroughALoadBalancerAndOutliveTheirDrain() {
        forEachSluiceOverlay(rendered -> {
            JsonNode bridges = rendered.workload(Tier.BRIDGE);
            JsonNode container = rendered.container(Tier.BRIDGE);
            AbstractConfig settings = rendered.settings(Tier.BRIDGE);
            List<JsonNode> balancers = rendered.ofKind("Service").stream()
                    .filter(service -> "LoadBalancer".equals(service.at("/spec/type").asText())
                    && selects(service.at("/spec/selector"), bridges)).toList();
            assertEquals(1, balancers.size(), rendered.target() + ": one LoadBalancer Service for the bridges");
            Map<Integer, Integer> exposed = new LinkedHashMap<>();
            balancers.get(0).at("/spec/ports").forEach(p -> exposed.put(p.path("port").asInt(), port(container, p.path("targetPort"))));
            assertEquals(Map.of(1883, settings.getInt(BridgeConfig.MQTT_PORT), 8083, settings.getInt(BridgeConfig.MQTT_WS_PORT)), exposed,
                    rendered.target() + ": MQTT and MQTT over WebSocket, to the bridges' listeners");
            boolean proxy = settings.getBoolean(BridgeConfig.MQTT_PROXY_PROTOCOL);
            boolean proxyAnnotated = balancers.get(0).at("/metadata/annotations").toString().matches(".*(proxy-protocol|proxyprotocol).*");
            assertEquals(proxy, proxyAnnotated, rendered.target() + ": the balancer sends PROXY exactly when the bridges expect it");
            assertEquals(!rendered.target().equals("overlays/small"), proxy, rendered.target() + ": PROXY protocol but on a laptop");
            long drain = settings.getLong(BridgeConfig.DRAIN_GRACE_MS) + settings.getLong(BridgeConfig.DRAIN_TIMEOUT_MS);
            assertTrue(podSpec(bridges).path("terminationGracePeriodSeconds").asLong() * 1000 > drain,
                    rendered.target() + ": the grace period outlasts the drain (" + drain + " ms)");
            String credentials = settings.getString(BridgeConfig.AUTH_CREDENTIALS_FILE);
            JsonNode mount = list(container.path("volumeMounts")).stream()
                    .filter(m -> credentials.startsWith(m.path("mountPath").asText() + "/")).findFirst()
                    .orElseThrow(() -> new AssertionError(rendered.target() + ": the credentials file " + credentials + " is mounted"));
            assertTrue(mount.path("readOnly").asBoolean() && !mount.has("subPath"),
                    rendered.target() + ": read-only, and refreshed when the Secret changes (no subPath)");
            JsonNode volume = named(podSpec(bridges).path("volumes"), mount.path("name").asText());
            List<String> secrets = new ArrayList<>();
            RenderedManifests.secretNames(volume, secrets);
            assertEquals(List.of("sluice-device-credentials"), secrets, rendered.target() + ": the credentials come from a Secret");
            if (rendered.target().startsWith("overlays/production")) {
                assertEquals("kubernetes.io/hostname", podSpec(bridges)
                        .at("/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/0/topologyKey").asText(),
                        "one bridge per node");
            }
        });
    }

    @Test
    void autoscalingTargetsOneWorkloadEachWithinThePartitions() {
        forEachSluiceOverlay(rendered -> {
            List<JsonNode> autoscalers = new ArrayList<>(rendered.ofKind("HorizontalPodAutoscaler"));
            autoscalers.addAll(rendered.ofKind("ScaledObject"));
            Set<String> scaled = new TreeSet<>();
            for (JsonNode autoscaler : autoscalers) {
                String where = rendered.target() + " " + label(autoscaler);
                JsonNode reference = autoscaler.at("/spec/scaleTargetRef");
                JsonNode target = rendered.one(reference.path("kind").asText(), reference.path("name").asText());
                assertTrue(scaled.add(label(target)), where + ": a second autoscaler of " + label(target));
                boolean keda = autoscaler.path("kind").asText().equals("ScaledObject");
                int min = autoscaler.at(keda ? "/spec/minReplicaCount" : "/spec/minReplicas").asInt();
                int max = autoscaler.at(keda ? "/spec/maxReplicaCount" : "/spec/maxReplicas").asInt();
                int replicas = target.at("/spec/replicas").asInt();
                assertTrue(1 <= min && min <= replicas && replicas <= max && max <= Topics.DEFAULT_PARTITIONS,
                        where + ": 1 <= min " + min + " <= replicas " + replicas + " <= max " + max + " <= " + Topics.DEFAULT_PARTITIONS);
                for (JsonNode trigger : autoscaler.at("/spec/triggers")) {
                    if (trigger.path("type").asText().equals("kafka")) {
                        rendered.assertLagOfTheRightGroup(target, trigger.path("metadata"), where);
                    }
                }
            }
            Set<String> expected = new TreeSet<>(Set.of(label(rendered.workload(Tier.PROCESSOR)), label(rendered.workload(Tier.SINK))));
            assertEquals(expected, scaled, rendered.target() + ": the processors and the sink scale, the bridges do not");
            assertEquals(rendered.target().contains("keda"), !rendered.ofKind("ScaledObject").isEmpty(), rendered.target());
        });
    }

    @Test
    void noSecretIsCommittedAndEverySecretReadHasADocumentedCommand() throws IOException {
        String doc = Files.readString(ROOT.resolve("docs/kubernetes.md"));
        Set<String> read = new TreeSet<>();
        for (RenderedManifests rendered : RENDERED.values()) {
            assertEquals(List.of(), rendered.ofKind("Secret").stream().map(RenderedManifests::label).toList(),
                    rendered.target() + ": Secrets are created by the user, never committed");
            List<String> names = new ArrayList<>();
            rendered.objects().forEach(object -> RenderedManifests.secretNames(object, names));
            read.addAll(names);
        }
        assertEquals(Set.of("sluice-clickhouse", "sluice-device-credentials"), read);
        for (String secret : read) {
            assertTrue(doc.matches("(?s).*kubectl [^\\n]*create secret generic " + secret + " .*"),
                    "docs/kubernetes.md shows how to create the Secret " + secret);
        }
        for (Path kustomization : kustomizationFiles()) {
            assertFalse(Files.readString(kustomization).contains("secretGenerator"), kustomization + " generates a Secret");
        }
    }

    @Test
    void overlaysAreSizedForTheirPlaceAndProcessorsMemoryHoldsHeapAndRocksDb() {
        RenderedManifests small = RENDERED.get("overlays/small");
        assertEquals(1, small.workload(Tier.BRIDGE).at("/spec/replicas").asInt(), "one bridge on a laptop");
        assertTrue(small.workload(Tier.PROCESSOR).at("/spec/replicas").asInt() <= 2
                && small.one("HorizontalPodAutoscaler", "stream-processor").at("/spec/maxReplicas").asInt() <= 2, "at most two processors");
        forEachSluiceOverlay(rendered -> {
            short replication = rendered.target().equals("overlays/small") ? (short) 1 : (short) 3;
            for (Tier tier : Tier.values()) {
                assertEquals(replication, rendered.settings(tier).getShort("kafka.topic.replication.factor"),
                        rendered.target() + " " + tier.container + ": replication factor of the topics it creates");
            }
            JsonNode processor = rendered.container(Tier.PROCESSOR);
            long limit = bytes(processor.at("/resources/limits/memory"));
            String javaOptions = RenderedManifests.env(processor).getOrDefault("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=70");
            double heap = Double.parseDouble(javaOptions.replaceAll(".*MaxRAMPercentage=([0-9.]+).*", "$1")) / 100 * limit;
            long rocksDb = rendered.settings(Tier.PROCESSOR).getLong(ProcessorConfig.ROCKSDB_MEMORY_BYTES);
            assertTrue(heap + rocksDb + (192L << 20) <= limit, rendered.target() + ": heap " + (long) heap + " + RocksDB " + rocksDb
                    + " + 192 MiB for the rest fit the limit " + limit);
        });
    }

    @Test
    void dependenciesDeclareTheTopicsOfTopicsJavaAndWhatTheServicesConnectTo() {
        for (String size : List.of("small", "production")) {
            RenderedManifests dependencies = RENDERED.get("dependencies/" + size);
            JsonNode kafka = dependencies.ofKind("Kafka").get(0);
            String cluster = kafka.at("/metadata/name").asText();
            Set<String> names = new TreeSet<>();
            for (JsonNode topic : dependencies.ofKind("KafkaTopic")) {
                String name = topic.at("/spec/topicName").asText();
                names.add(name);
                int replicas = topic.at("/spec/replicas").asInt();
                assertEquals(cluster, topic.at("/metadata/labels/strimzi.io~1cluster").asText(), name);
                assertEquals(Topics.DEFAULT_PARTITIONS, topic.at("/spec/partitions").asInt(), name);
                assertEquals(size.equals("small") ? 1 : 3, replicas, name);
                Map<String, String> expected = new LinkedHashMap<>(Topics.ALL.stream().filter(t -> t.name().equals(name)).findFirst()
                        .orElseThrow(() -> new AssertionError(name + " is no topic of Topics.java"))
                        .newTopic(Topics.DEFAULT_PARTITIONS, (short) replicas).configs());
                // A topic without its own min.insync.replicas takes the cluster's.
                expected.putIfAbsent("min.insync.replicas", kafka.at("/spec/kafka/config/min.insync.replicas").asText());
                Map<String, String> actual = new LinkedHashMap<>();
                topic.at("/spec/config").fields().forEachRemaining(entry -> actual.put(entry.getKey(), entry.getValue().asText()));
                actual.putIfAbsent("min.insync.replicas", kafka.at("/spec/kafka/config/min.insync.replicas").asText());
                assertEquals(expected, actual, size + " " + name);
            }
            assertEquals(new TreeSet<>(Topics.ALL.stream().map(t -> t.name()).toList()), names, size + ": the topics of Topics.java");
            int plain = named(kafka.at("/spec/kafka/listeners"), "plain").path("port").asInt();
            JsonNode clickHouse = dependencies.ofKind("ClickHouseInstallation").get(0);
            String service = clickHouse.at("/spec/templates/serviceTemplates/0/generateName").asText()
                    .replace("{chi}", clickHouse.at("/metadata/name").asText());
            List<String> overlays = size.equals("small") ? List.of("overlays/small") : List.of("overlays/production", "overlays/production-keda");
            for (String overlay : overlays) {
                RenderedManifests rendered = RENDERED.get(overlay);
                for (Tier tier : Tier.values()) {
                    assertEquals(cluster + "-kafka-bootstrap:" + plain, rendered.settings(tier).getString("kafka.bootstrap.servers"),
                            overlay + " " + tier.container + ": Strimzi's bootstrap Service");
                }
                AbstractConfig sink = rendered.settings(Tier.SINK);
                assertEquals("http://" + service + ":8123", sink.getString(SinkConfig.CLICKHOUSE_URL), overlay);
                JsonNode users = clickHouse.at("/spec/configuration/users");
                JsonNode password = users.path(sink.getString(SinkConfig.CLICKHOUSE_USER) + "/password");
                JsonNode sinkPassword = named(rendered.container(Tier.SINK).path("env"), "SLUICE_SINK_CLICKHOUSE_PASSWORD");
                assertEquals(sinkPassword.at("/valueFrom/secretKeyRef"), password.at("/valueFrom/secretKeyRef"),
                        overlay + ": ClickHouse and the sink read the same Secret key");
            }
        }
    }

    // --- rendering and validation

    private interface ContainerCheck {
        void check(RenderedManifests rendered, JsonNode workload, JsonNode container);
    }

    private static void forEachSluiceOverlay(java.util.function.Consumer<RenderedManifests> check) {
        RENDERED.values().stream().filter(rendered -> !rendered.isDependencies()).forEach(check);
    }

    private static void forEachSluiceContainer(ContainerCheck check) {
        forEachSluiceOverlay(rendered -> rendered.workloads().forEach(workload ->
                containers(workload).forEach(container -> check.check(rendered, workload, container))));
    }

    private static List<Path> kustomizations(Path dir) throws IOException {
        try (Stream<Path> dirs = Files.list(dir)) {
            return dirs.filter(d -> Files.exists(d.resolve("kustomization.yaml"))).sorted().toList();
        }
    }

    private static List<Path> kustomizationFiles() throws IOException {
        try (Stream<Path> files = Files.walk(KUBERNETES)) {
            return files.filter(file -> file.getFileName().toString().equals("kustomization.yaml")).toList();
        }
    }

    /** A kustomization of overlays/production plus one component, as a user would add it. */
    private static Path withComponent(Path component) throws IOException {
        Path dir = WORK.resolve("production+" + component.getFileName());
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("kustomization.yaml"), String.join("\n",
                "apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization", "namespace: sluice",
                "resources:", "  - " + dir.relativize(KUBERNETES.resolve("overlays/production")),
                "components:", "  - " + dir.relativize(component), ""));
        return dir;
    }

    private static void render(String target, Path dir) throws IOException, InterruptedException {
        RENDERED.put(target, new RenderedManifests(target, tools.render(dir)));
    }

    private static KubernetesToolchain.Run validate(List<RenderedManifests> targets) throws IOException, InterruptedException {
        Map<String, List<JsonNode>> input = new LinkedHashMap<>();
        targets.forEach(rendered -> input.put(rendered.target(), rendered.objects()));
        return tools.validate(input, KUBERNETES.resolve("validate/validate.mjs"), WORK);
    }
}
