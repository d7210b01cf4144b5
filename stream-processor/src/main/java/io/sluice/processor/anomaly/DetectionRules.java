package io.sluice.processor.anomaly;

import static io.sluice.processor.anomaly.RulesNodes.asObject;
import static io.sluice.processor.anomaly.RulesNodes.bool;
import static io.sluice.processor.anomaly.RulesNodes.build;
import static io.sluice.processor.anomaly.RulesNodes.checkKeys;
import static io.sluice.processor.anomaly.RulesNodes.debounce;
import static io.sluice.processor.anomaly.RulesNodes.integer;
import static io.sluice.processor.anomaly.RulesNodes.merge;
import static io.sluice.processor.anomaly.RulesNodes.number;
import static io.sluice.processor.anomaly.RulesNodes.object;
import static io.sluice.processor.anomaly.RulesNodes.severity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.sluice.processor.anomaly.Rules.Baseline;
import io.sluice.processor.anomaly.Rules.DisconnectSpike;
import io.sluice.processor.anomaly.Rules.MetricRules;
import io.sluice.processor.anomaly.Rules.Novelty;
import io.sluice.processor.anomaly.Rules.RateOfChange;
import io.sluice.processor.anomaly.Rules.Silence;
import io.sluice.processor.anomaly.Rules.Stuck;
import io.sluice.processor.anomaly.Rules.Threshold;
import io.sluice.processor.anomaly.Rules.ZScore;

/**
 * The anomaly rules file (YAML), merged with the built-in defaults ({@link #BUILT_IN}) and resolved
 * per device and metric. Later layers override earlier ones field by field:
 * <ol>
 *   <li>the built-in defaults, then the file's {@code defaults};</li>
 *   <li>{@code metrics.<metric>};</li>
 *   <li>the first {@code device_types.<type>} whose {@code match} globs match the device id: its
 *       detector blocks, then its {@code metrics.<metric>};</li>
 *   <li>{@code devices.<device id>}: its detector blocks, then its {@code metrics.<metric>}.</li>
 * </ol>
 * {@code silence} is per device (defaults, type, device); {@code fleet.disconnect_spike} is fleet-wide.
 * A key the file does not know, a value of the wrong type or out of bounds fails the load with one
 * line naming the key. Immutable and thread-safe.
 */
public final class DetectionRules {

    /** The defaults, in the rules file's own format: the reference for what each key means. */
    public static final String BUILT_IN = """
            defaults:
              threshold: {min: null, max: null, severity: critical, debounce: {m: 1, n: 1}}
              zscore: {enabled: false, threshold: 6.0, warmup: 30, alpha: 0.05, min_std: 0.001, severity: warning,
                       debounce: {m: 2, n: 3}}
              rate_of_change: {max_per_second: null, severity: warning, debounce: {m: 1, n: 1}}
              stuck: {readings: 30, tolerance: 0.0, normal_runs: 3.0, severity: warning}
              baseline: {warmup: 250, settling: 400, settling_margin: 0.4, memory: 14000, episode_gap: 30}
              spike: {enabled: true, margin: 0.05, deviations: 7.0, severity: warning}
              level_shift: {enabled: true, margin: 0.05, deviations: 1.0, severity: warning}
              variance_change: {enabled: true, margin: 0.1, deviations: 0.3, severity: info}
              seasonal: {enabled: true, margin: 0.1, deviations: 6.0, severity: warning}
              silence: {enabled: true, intervals: 6.0, min_ms: 30000, warmup: 5, severity: warning}
            fleet:
              disconnect_spike: {enabled: true, bucket_ms: 60000, std_devs: 5.0, min_disconnects: 10, warmup_buckets: 5,
                                 alpha: 0.1, severity: critical}
            """;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> TOP_LEVEL = Set.of("defaults", "metrics", "device_types", "devices", "fleet");
    /** The blocks that judge one metric, as the file names them. */
    private static final Set<String> METRIC_BLOCKS = Set.of("threshold", "zscore", "rate_of_change", "stuck", "baseline", "spike",
            "level_shift", "variance_change", "seasonal");
    private static final Set<String> DETECTOR_BLOCKS = union(METRIC_BLOCKS, Set.of("silence"));

    private record DeviceType(String name, List<Pattern> match, ObjectNode block) {
    }

    private final ObjectNode defaults;
    private final ObjectNode metrics;
    private final List<DeviceType> deviceTypes;
    private final ObjectNode devices;
    private final DisconnectSpike disconnectSpike;

    private DetectionRules(ObjectNode merged) throws RulesException {
        this.defaults = object(merged, "defaults");
        this.metrics = object(merged, "metrics");
        this.devices = object(merged, "devices");
        this.deviceTypes = new ArrayList<>();
        ObjectNode types = object(merged, "device_types");
        for (Iterator<Map.Entry<String, JsonNode>> it = types.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> type = it.next();
            String where = "device_types." + type.getKey();
            ObjectNode block = asObject(type.getValue(), where);
            JsonNode match = block.get("match");
            if (match == null || !(match.isArray() || match.isTextual())) {
                throw new RulesException(where + ".match must be a glob or a list of globs on the device id");
            }
            List<Pattern> patterns = new ArrayList<>();
            for (JsonNode glob : match.isArray() ? match : List.of(match)) {
                patterns.add(glob(glob.asText()));
            }
            ObjectNode withoutMatch = block.deepCopy();
            withoutMatch.remove("match");
            deviceTypes.add(new DeviceType(type.getKey(), List.copyOf(patterns), withoutMatch));
        }
        ObjectNode fleet = object(merged, "fleet");
        this.disconnectSpike = disconnectSpike(object(fleet, "disconnect_spike"), "fleet.disconnect_spike");
        checkKeys(merged, TOP_LEVEL, "");
        checkKeys(fleet, Set.of("disconnect_spike"), "fleet.");
        // Resolve every layer once now, so that a mistake in an override fails at start-up, not at the first reading.
        validateLayer(defaults, "defaults");
        for (Iterator<Map.Entry<String, JsonNode>> it = metrics.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> metric = it.next();
            metricRules(merge(defaults.deepCopy(), asObject(metric.getValue(), "metrics." + metric.getKey())),
                    "metrics." + metric.getKey());
        }
        for (DeviceType type : deviceTypes) {
            validateLayer(merge(defaults.deepCopy(), type.block()), "device_types." + type.name());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = devices.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> device = it.next();
            validateLayer(merge(defaults.deepCopy(), asObject(device.getValue(), "devices." + device.getKey())),
                    "devices." + device.getKey());
        }
    }

    /** The built-in defaults alone. */
    public static DetectionRules defaults() {
        try {
            return new DetectionRules(builtIn());
        } catch (RulesException e) {
            throw new IllegalStateException("the built-in rules are invalid: " + e.getMessage(), e);
        }
    }

    /** The rules file at {@code path} over the built-in defaults. */
    public static DetectionRules load(Path path) throws RulesException {
        String text;
        try {
            text = Files.readString(path);
        } catch (IOException e) {
            throw new RulesException("cannot read the rules file " + path + ": " + e.getMessage());
        }
        try {
            return parse(text);
        } catch (RulesException e) {
            throw new RulesException("rules file " + path + ": " + e.getMessage());
        }
    }

    /** Rules from YAML text over the built-in defaults. */
    public static DetectionRules parse(String yaml) throws RulesException {
        JsonNode file;
        try {
            file = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new RulesException("not valid YAML: " + e.getOriginalMessage().replaceAll("\\s+", " ").strip()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()));
        }
        if (file == null || file.isMissingNode() || file.isNull()) {
            return defaults();
        }
        return new DetectionRules(merge(builtIn(), asObject(file, "the file")));
    }

    /** The rules for one device's metric. */
    public MetricRules forMetric(String deviceId, String metric) {
        try {
            return metricRules(layered(deviceId, metric), "rules for " + deviceId + "/" + metric);
        } catch (RulesException e) {
            throw new IllegalStateException(e.getMessage(), e); // every layer was validated at load
        }
    }

    /** The silence rule for one device. */
    public Silence silenceFor(String deviceId) {
        try {
            return silence(object(layered(deviceId, null), "silence"), "silence of " + deviceId);
        } catch (RulesException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    public DisconnectSpike disconnectSpike() {
        return disconnectSpike;
    }

    /** The device type a device id matches, or null. */
    public String deviceTypeOf(String deviceId) {
        DeviceType type = typeOf(deviceId);
        return type == null ? null : type.name();
    }

    private ObjectNode layered(String deviceId, String metric) {
        ObjectNode rules = defaults.deepCopy();
        if (metric != null) {
            merge(rules, metrics.path(metric));
        }
        DeviceType type = typeOf(deviceId);
        if (type != null) {
            mergeLayer(rules, type.block(), metric);
        }
        mergeLayer(rules, devices.path(deviceId), metric);
        return rules;
    }

    private static void mergeLayer(ObjectNode rules, JsonNode layer, String metric) {
        if (!layer.isObject()) {
            return;
        }
        for (String block : DETECTOR_BLOCKS) {
            if (layer.has(block)) {
                merge(rules, YAML.createObjectNode().set(block, layer.get(block)));
            }
        }
        if (metric != null) {
            merge(rules, layer.path("metrics").path(metric));
        }
    }

    private DeviceType typeOf(String deviceId) {
        for (DeviceType type : deviceTypes) {
            for (Pattern pattern : type.match()) {
                if (pattern.matcher(deviceId).matches()) {
                    return type;
                }
            }
        }
        return null;
    }

    private static void validateLayer(ObjectNode layer, String where) throws RulesException {
        checkKeys(layer, union(DETECTOR_BLOCKS, Set.of("metrics", "match")), where + ".");
        metricRules(layer, where);
        silence(object(layer, "silence"), where + ".silence");
        for (Iterator<Map.Entry<String, JsonNode>> it = object(layer, "metrics").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> metric = it.next();
            String metricWhere = where + ".metrics." + metric.getKey();
            ObjectNode metricLayer = asObject(metric.getValue(), metricWhere);
            checkKeys(metricLayer, METRIC_BLOCKS, metricWhere + ".");
            metricRules(merge(layer.deepCopy(), metricLayer), metricWhere);
        }
    }

    private static MetricRules metricRules(ObjectNode rules, String where) throws RulesException {
        checkKeys(rules, union(DETECTOR_BLOCKS, Set.of("metrics", "match")), where + ".");
        return new MetricRules(
                build(where + ".threshold", () -> {
                    ObjectNode t = object(rules, "threshold");
                    checkKeys(t, Set.of("min", "max", "severity", "debounce"), where + ".threshold.");
                    return new Threshold(number(t, "min", Double.NEGATIVE_INFINITY, where + ".threshold"),
                            number(t, "max", Double.POSITIVE_INFINITY, where + ".threshold"),
                            severity(t, where + ".threshold"), debounce(t, where + ".threshold"));
                }),
                build(where + ".zscore", () -> {
                    ObjectNode z = object(rules, "zscore");
                    checkKeys(z, Set.of("enabled", "threshold", "warmup", "alpha", "min_std", "severity", "debounce"),
                            where + ".zscore.");
                    return new ZScore(bool(z, "enabled", where + ".zscore"), number(z, "threshold", 0, where + ".zscore"),
                            (int) integer(z, "warmup", where + ".zscore"), number(z, "alpha", 0, where + ".zscore"),
                            number(z, "min_std", 0, where + ".zscore"), severity(z, where + ".zscore"),
                            debounce(z, where + ".zscore"));
                }),
                build(where + ".rate_of_change", () -> {
                    ObjectNode r = object(rules, "rate_of_change");
                    checkKeys(r, Set.of("max_per_second", "severity", "debounce"), where + ".rate_of_change.");
                    return new RateOfChange(number(r, "max_per_second", Double.POSITIVE_INFINITY, where + ".rate_of_change"),
                            severity(r, where + ".rate_of_change"), debounce(r, where + ".rate_of_change"));
                }),
                build(where + ".stuck", () -> {
                    ObjectNode s = object(rules, "stuck");
                    checkKeys(s, Set.of("readings", "tolerance", "normal_runs", "severity"), where + ".stuck.");
                    return new Stuck((int) integer(s, "readings", where + ".stuck"), number(s, "tolerance", 0, where + ".stuck"),
                            number(s, "normal_runs", 0, where + ".stuck"), severity(s, where + ".stuck"));
                }),
                build(where + ".baseline", () -> {
                    ObjectNode b = object(rules, "baseline");
                    String at = where + ".baseline";
                    checkKeys(b, Set.of("warmup", "settling", "settling_margin", "memory", "episode_gap"), at + ".");
                    return new Baseline((int) integer(b, "warmup", at), (int) integer(b, "settling", at),
                            number(b, "settling_margin", 0, at), (int) integer(b, "memory", at), (int) integer(b, "episode_gap", at));
                }),
                novelty(rules, "spike", where), novelty(rules, "level_shift", where), novelty(rules, "variance_change", where),
                novelty(rules, "seasonal", where));
    }

    private static Novelty novelty(ObjectNode rules, String block, String where) throws RulesException {
        ObjectNode n = object(rules, block);
        String at = where + "." + block;
        checkKeys(n, Set.of("enabled", "margin", "deviations", "severity"), at + ".");
        return build(at, () -> new Novelty(bool(n, "enabled", at), number(n, "margin", 0, at), number(n, "deviations", 0, at),
                severity(n, at)));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private static Silence silence(ObjectNode s, String where) throws RulesException {
        checkKeys(s, Set.of("enabled", "intervals", "min_ms", "warmup", "severity"), where + ".");
        return build(where, () -> new Silence(bool(s, "enabled", where), number(s, "intervals", 0, where),
                integer(s, "min_ms", where), (int) integer(s, "warmup", where), severity(s, where)));
    }

    private static DisconnectSpike disconnectSpike(ObjectNode d, String where) throws RulesException {
        checkKeys(d, Set.of("enabled", "bucket_ms", "std_devs", "min_disconnects", "warmup_buckets", "alpha", "severity"),
                where + ".");
        return build(where, () -> new DisconnectSpike(bool(d, "enabled", where), integer(d, "bucket_ms", where),
                number(d, "std_devs", 0, where), (int) integer(d, "min_disconnects", where),
                (int) integer(d, "warmup_buckets", where), number(d, "alpha", 0, where), severity(d, where)));
    }

    private static ObjectNode builtIn() {
        try {
            return (ObjectNode) YAML.readTree(BUILT_IN);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
