package io.sluice.processor.anomaly;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.sluice.processor.anomaly.Rules.Debounce;

/**
 * Typed reads of the rules file's YAML nodes for {@link DetectionRules}: each names the key that is wrong in one line
 * ({@link RulesException}), never a stack trace.
 */
final class RulesNodes {

    private RulesNodes() {
    }

    interface Builder<T> {
        T build() throws RulesException;
    }

    static <T> T build(String where, Builder<T> builder) throws RulesException {
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new RulesException(where + ": " + e.getMessage());
        }
    }

    static Debounce debounce(ObjectNode block, String where) throws RulesException {
        ObjectNode d = object(block, "debounce");
        checkKeys(d, Set.of("m", "n"), where + ".debounce.");
        return build(where + ".debounce", () -> new Debounce((int) integer(d, "m", where + ".debounce"),
                (int) integer(d, "n", where + ".debounce")));
    }

    static Severity severity(ObjectNode block, String where) throws RulesException {
        JsonNode value = block.get("severity");
        try {
            return Severity.valueOf(value.asText().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new RulesException(where + ".severity must be info, warning or critical, got '" + value + "'");
        }
    }

    static double number(ObjectNode block, String key, double whenNull, String where) throws RulesException {
        JsonNode value = block.get(key);
        if (value == null || value.isNull()) {
            return whenNull;
        }
        if (!value.isNumber()) {
            throw new RulesException(where + "." + key + " must be a number, got '" + value.asText() + "'");
        }
        return value.asDouble();
    }

    static long integer(ObjectNode block, String key, String where) throws RulesException {
        JsonNode value = block.get(key);
        if (value == null || !value.canConvertToLong() || !value.isIntegralNumber()) {
            throw new RulesException(where + "." + key + " must be a whole number, got '" + (value == null ? "nothing" : value.asText())
                    + "'");
        }
        return value.asLong();
    }

    static boolean bool(ObjectNode block, String key, String where) throws RulesException {
        JsonNode value = block.get(key);
        if (value == null || !value.isBoolean()) {
            throw new RulesException(where + "." + key + " must be true or false");
        }
        return value.asBoolean();
    }

    static void checkKeys(ObjectNode node, Set<String> allowed, String where) throws RulesException {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new RulesException("unknown key '" + where + name + "' (known here: " + new java.util.TreeSet<>(allowed) + ")");
            }
        }
    }

    static ObjectNode object(ObjectNode parent, String key) throws RulesException {
        JsonNode child = parent.get(key);
        if (child == null || child.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        return asObject(child, key);
    }

    static ObjectNode asObject(JsonNode node, String where) throws RulesException {
        if (!node.isObject()) {
            throw new RulesException(where + " must be a mapping of keys to values");
        }
        return (ObjectNode) node;
    }

    /** Deep merge: objects merge key by key, anything else replaces. */
    static ObjectNode merge(ObjectNode into, JsonNode over) {
        if (over == null || !over.isObject()) {
            return into;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode existing = into.get(field.getKey());
            if (existing != null && existing.isObject() && field.getValue().isObject()) {
                merge((ObjectNode) existing, field.getValue());
            } else {
                into.set(field.getKey(), field.getValue().deepCopy());
            }
        }
        return into;
    }
}
