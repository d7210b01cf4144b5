package io.sluice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * Every relative link in the README and docs/ leads somewhere: the file or folder exists, and an anchor names a heading
 * of the page it points into. The README links every page of docs/, so that none is out of a newcomer's reach.
 */
class DocsLinksTest {

    private static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath().normalize();

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        List<MarkdownPage> pages = MarkdownPage.documentation(ROOT);
        Map<Path, MarkdownPage> byFile = pages.stream().collect(Collectors.toMap(p -> p.file().normalize(), Function.identity()));
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (MarkdownPage page : pages) {
            for (MarkdownPage.Link link : page.links()) {
                String target = link.target();
                if (target.matches("^[a-z][a-z0-9+.-]*:.*")) {
                    continue; // https:, mailto: and the like: not this repository's to keep
                }
                checked++;
                int hash = target.indexOf('#');
                String path = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path file = path.isEmpty() ? page.file() : page.file().getParent().resolve(path).normalize();
                String where = page.name() + ":" + link.line() + " (" + target + ")";
                if (!file.startsWith(ROOT) || !Files.exists(file)) {
                    broken.add(where + ": no such file " + ROOT.relativize(file));
                } else if (anchor != null) {
                    MarkdownPage into = byFile.get(file);
                    if (into == null) {
                        broken.add(where + ": an anchor into a page that is not documentation");
                    } else if (!into.anchors().contains(anchor)) {
                        broken.add(where + ": " + into.name() + " has no heading for #" + anchor);
                    }
                }
            }
        }
        assertEquals(List.of(), broken, "broken links");
        assertTrue(checked > 60, "the links were read: " + checked);
    }

    @Test
    void theReadmeLinksEveryPageOfTheDocs() throws IOException {
        List<MarkdownPage> pages = MarkdownPage.documentation(ROOT);
        MarkdownPage readme = pages.get(0);
        Set<String> linked = readme.links().stream().map(l -> l.target().replaceAll("#.*", "")).collect(Collectors.toSet());
        Set<String> unlinked = new TreeSet<>();
        for (MarkdownPage page : pages.subList(1, pages.size())) {
            if (!linked.contains(page.name())) {
                unlinked.add(page.name());
            }
        }
        assertEquals(Set.of(), unlinked, "docs pages the README does not link");
        for (String promised : List.of("docs/docker.md", "docs/kubernetes.md", "docs/monitoring.md", "docs/configuration.md")) {
            assertTrue(linked.contains(promised), "the README links " + promised);
        }
    }

    @Test
    void anchorsAreThoseGitHubMakes() {
        assertEquals("the-fleet-simulator-sluice-load", MarkdownPage.slug("The fleet simulator: `./sluice load`"));
        assertEquals("kafka-client-settings-kafka", MarkdownPage.slug("Kafka client settings (`kafka.*`)"));
        assertEquals("how-data-crosses-kafka-and-why", MarkdownPage.slug("How data crosses Kafka, and why"));
        assertEquals("raw-readings-sluicetelemetry", MarkdownPage.slug("Raw readings: `sluice.telemetry`"));
    }
}
