package io.sluice.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The configuration templates under {@code stack/} at the repository root, which {@code ./sluice}
 * uses too, filled in for a test's private server. The root comes from the {@code sluice.root}
 * system property that the build sets.
 */
public final class StackTemplates {

    private StackTemplates() {
    }

    public static Path root() {
        String root = System.getProperty("sluice.root");
        if (root == null) {
            throw new IllegalStateException("system property sluice.root is not set; run the tests through Maven");
        }
        return Path.of(root);
    }

    /** Writes {@code stack/<template>} to {@code target}, with each {@code @NAME@} replaced. */
    public static void render(String template, Path target, Map<String, String> values) {
        try {
            String text = Files.readString(root().resolve("stack").resolve(template));
            for (Map.Entry<String, String> value : values.entrySet()) {
                text = text.replace("@" + value.getKey() + "@", value.getValue());
            }
            Files.createDirectories(target.getParent());
            Files.writeString(target, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
