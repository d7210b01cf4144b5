package io.sluice.load.detection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Labelled series in the Numenta Anomaly Benchmark's layout: {@code data/<category>/<file>.csv} (columns
 * {@code timestamp,value}) and their anomaly windows in {@code combined_windows.json} (at the top or under
 * {@code labels/}), keyed {@code <category>/<file>.csv}. Only the series the windows file names are read.
 */
public final class NabCorpus {

    /** One series: its rows in time order and its windows. */
    public record Series(String name, long[] times, double[] values, List<NabScore.Window> windows) {
    }

    private NabCorpus() {
    }

    /** Every series of {@code dir}, by name; a missing or malformed file is an {@link IllegalArgumentException} naming it. */
    public static List<Series> load(Path dir) {
        Path windowsFile = Files.exists(dir.resolve("combined_windows.json")) ? dir.resolve("combined_windows.json")
                : dir.resolve("labels").resolve("combined_windows.json");
        if (!Files.isRegularFile(windowsFile)) {
            throw new IllegalArgumentException(dir + " is not a NAB directory: it has no combined_windows.json (nor labels/combined_windows.json)");
        }
        JsonNode labels;
        try {
            labels = new ObjectMapper().readTree(windowsFile.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(windowsFile + " is not valid JSON: " + e.getMessage());
        }
        List<Series> corpus = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            List<NabScore.Window> windows = new ArrayList<>();
            for (JsonNode window : entry.getValue()) {
                windows.add(new NabScore.Window(NabScore.parseTimestamp(window.get(0).asText()),
                        NabScore.parseTimestamp(window.get(1).asText())));
            }
            corpus.add(series(entry.getKey(), dir.resolve("data").resolve(entry.getKey()), windows));
        }
        corpus.sort((a, b) -> a.name().compareTo(b.name()));
        return corpus;
    }

    private static Series series(String name, Path csv, List<NabScore.Window> windows) {
        List<String> lines;
        try (Stream<String> stream = Files.lines(csv)) {
            lines = stream.skip(1).filter(line -> !line.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the series " + csv, e);
        }
        long[] times = new long[lines.size()];
        double[] values = new double[lines.size()];
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int comma = line.indexOf(',');
            try {
                times[i] = NabScore.parseTimestamp(line.substring(0, comma));
                values[i] = Double.parseDouble(line.substring(comma + 1).strip());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(csv + " line " + (i + 2) + " is not 'timestamp,value': " + line);
            }
            if (i > 0 && times[i] < times[i - 1]) { // equal times happen (daylight saving artefacts): rows, not times, count
                throw new IllegalArgumentException(csv + " line " + (i + 2) + " is earlier than the line before it");
            }
        }
        return new Series(name, times, values, List.copyOf(windows));
    }
}
