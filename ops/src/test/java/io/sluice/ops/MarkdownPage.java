package io.sluice.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One Markdown page of the documentation as the docs tests read it: its fenced blocks (with the fence's info string
 * and the HTML comments right before the fence), the anchors its headings make on GitHub, and its links.
 */
record MarkdownPage(Path file, String name, List<Block> blocks, Set<String> anchors, List<Link> links) {

    /** A fenced block: the page and line of its opening fence, its info string ({@code bash}, {@code text}, ...), its text. */
    record Block(String page, int line, String info, String text, List<String> comments) {

        /** What a {@code <!-- KEY: value -->} comment right before the fence says, if there is one. */
        Optional<String> marker(String key) {
            return comments.stream().filter(c -> c.startsWith(key + ":")).map(c -> c.substring(key.length() + 1).strip()).findFirst();
        }

        String where() {
            return page + ":" + line;
        }
    }

    /** A link outside code: its target as written, and the line it is on. */
    record Link(String target, int line) {
    }

    private static final Pattern FENCE = Pattern.compile("^(`{3,})\\s*([^`\\s]*).*$");
    private static final Pattern COMMENT = Pattern.compile("^<!--\\s*(.*?)\\s*-->$");
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)\\)");
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`]*`");

    /** The README, then every page of docs/ by name: the order a reader, and the examples test, goes through them. */
    static List<MarkdownPage> documentation(Path root) throws IOException {
        List<MarkdownPage> pages = new ArrayList<>();
        pages.add(read(root, root.resolve("README.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            for (Path page : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                pages.add(read(root, page));
            }
        }
        return pages;
    }

    static MarkdownPage read(Path root, Path file) throws IOException {
        String name = root.relativize(file).toString();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Block> blocks = new ArrayList<>();
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> slugsSeen = new HashMap<>();
        List<Link> links = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher fence = FENCE.matcher(line);
            if (fence.matches()) {
                String ticks = fence.group(1);
                int start = i;
                StringBuilder text = new StringBuilder();
                while (++i < lines.size() && !lines.get(i).strip().startsWith(ticks)) {
                    text.append(lines.get(i)).append('\n');
                }
                blocks.add(new Block(name, start + 1, fence.group(2), text.toString(), List.copyOf(comments)));
                comments.clear();
                continue;
            }
            Matcher comment = COMMENT.matcher(line.strip());
            if (comment.matches()) {
                comments.add(comment.group(1));
                continue;
            }
            if (!line.isBlank()) {
                comments.clear();
            }
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                String slug = slug(heading.group(2));
                int seen = slugsSeen.merge(slug, 1, Integer::sum);
                anchors.add(seen == 1 ? slug : slug + "-" + (seen - 1));
            }
            Matcher link = LINK.matcher(INLINE_CODE.matcher(line).replaceAll("``"));
            while (link.find()) {
                links.add(new Link(link.group(1), i + 1));
            }
        }
        return new MarkdownPage(file, name, List.copyOf(blocks), Set.copyOf(anchors), List.copyOf(links));
    }

    /**
     * The anchor GitHub gives a heading: link texts and code kept as text, lower case, every character but letters,
     * digits, spaces, hyphens and underscores dropped, spaces turned into hyphens.
     */
    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)]\\([^)]*\\)", "$1").replace("`", "").toLowerCase(Locale.ROOT);
        return text.replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "").replace(' ', '-');
    }
}
