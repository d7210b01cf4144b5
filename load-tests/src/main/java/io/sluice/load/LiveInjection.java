package io.sluice.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Anomalies injected into a live fleet run ({@code --inject N}): N devices, evenly spread over the fleet,
 * each get one, kinds in turn, starting at a random moment between a quarter and a half of the run.
 * Each is written down as it happens (first and last affected reading), which gives the ground-truth
 * file, and is matched afterwards against what the processors put in {@code sluice.anomalies}.
 * The kinds are those the built-in rules catch: a humidity spike (spike), a temperature drift far off its
 * level (spike or level shift), all sensors stuck (stuck), all three late in the run (after 65 to 80% of it),
 * once the baselines' warm-up of 250 readings is behind (a device publishing 5 or more times a second in a
 * minute's run); and a device going silent for the rest of the run (silence, only in runs of 60 s or more: the
 * detector waits at least 30 s).
 */
final class LiveInjection {

    enum Kind {
        SPIKE("humidity", 3, "SPIKE", "ZSCORE"),
        DRIFT("temperature", 20, "SPIKE", "LEVEL_SHIFT", "ZSCORE"),
        STUCK("*", 40, "STUCK"),
        SILENT("*", Long.MAX_VALUE, "SILENCE");

        /** The detector meant to catch it (the ground truth names it). */
        final String detector;
        /** Every detector whose alert counts as catching it (the z-score too, for rules that turn it on). */
        final java.util.Set<String> catchers;
        final String metric;
        final long readings;

        Kind(String metric, long readings, String... detectors) {
            this.detector = detectors[0];
            this.catchers = java.util.Set.of(detectors);
            this.metric = metric;
            this.readings = readings;
        }
    }

    /** One planned injection: armed by the device's first publish at or after {@link #atSeconds}. Touched on its device's event loop. */
    static final class Planned {
        final Kind kind;
        final String deviceId;
        final double atSeconds;
        private volatile long firstSeq = -1;
        private volatile long startMs;
        private volatile long endMs;

        Planned(Kind kind, String deviceId, double atSeconds) {
            this.kind = kind;
            this.deviceId = deviceId;
            this.atSeconds = atSeconds;
        }

        /** Whether the device stays silent at {@code t} seconds into the run (recording when the silence began). */
        boolean silences(double t, long nowMs) {
            if (kind != Kind.SILENT || t < atSeconds) {
                return false;
            }
            if (firstSeq < 0) {
                firstSeq = 0;
                startMs = nowMs;
            }
            endMs = nowMs;
            return true;
        }

        /** Called before each publish: arms the injection at its time, and records the affected readings. */
        void before(long seq, double t, long nowMs) {
            if (kind == Kind.SILENT || t < atSeconds) {
                return;
            }
            if (firstSeq < 0) {
                firstSeq = seq;
                startMs = nowMs;
            }
            if (bends(kind, seq)) {
                endMs = nowMs;
            }
        }

        boolean bends(Kind which, long seq) {
            return kind == which && firstSeq >= 0 && seq >= firstSeq && seq - firstSeq < kind.readings;
        }

        long firstSeq() {
            return firstSeq;
        }

        boolean happened() {
            return firstSeq >= 0;
        }

        long startMs() {
            return startMs;
        }

        long endMs() {
            return endMs;
        }

        String toJson() {
            return String.format(Locale.ROOT,
                    "{\"kind\":\"%s\",\"detector\":\"%s\",\"deviceId\":\"%s\",\"metric\":\"%s\",\"startMs\":%d,\"endMs\":%d,\"happened\":%s}",
                    kind, kind.detector, deviceId, kind.metric, startMs, endMs, happened());
        }
    }

    private LiveInjection() {
    }

    /** The plan for a run; silent devices only when the run lasts a minute or more. */
    static List<Planned> plan(FleetOptions options, long seed) {
        List<Planned> planned = new ArrayList<>();
        Random random = new Random(seed);
        List<Kind> kinds = new ArrayList<>(List.of(Kind.SPIKE, Kind.DRIFT, Kind.STUCK));
        if (options.seconds() >= 60) {
            kinds.add(Kind.SILENT);
        }
        for (int k = 0; k < options.injections(); k++) {
            int device = (int) ((long) k * options.devices() / options.injections());
            Kind kind = kinds.get(k % kinds.size());
            // A silence waits at least 30 s to be raised; the others need the baselines' warm-up (250 readings) behind them.
            double at = options.seconds() * (kind == Kind.SILENT ? 0.25 + 0.2 * random.nextDouble() : 0.65 + 0.15 * random.nextDouble());
            planned.add(new Planned(kind, options.deviceId(device), at));
        }
        return planned;
    }

    /** Writes the ground truth, one JSON object per line. */
    static void writeGroundTruth(List<Planned> planned, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        List<String> lines = planned.stream().map(Planned::toJson).toList();
        Files.write(file, lines, StandardCharsets.UTF_8);
    }
}
