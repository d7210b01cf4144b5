package io.sluice.load;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CPU time every process of the native stack spent, read from {@code /proc/<pid>/stat} (user plus
 * system time) for each pid file of the stack ({@code .sluice/run/<name>.pid}). Two readings around a
 * fleet run give each process's CPU per message, which is what the stack is judged by: on two shared
 * cores every microsecond any process spends comes out of the same budget.
 */
final class StackCpu {

    /** The kinds of process a stack has, as the benchmark's table groups them. */
    static final String[] KINDS = {"processors", "kafka", "clickhouse", "bridges", "sink", "haproxy"};

    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ: 100 on every Linux this runs on

    private final Path pidDir;

    StackCpu(Path pidDir) {
        this.pidDir = pidDir;
    }

    /** CPU seconds so far per process name; empty when there is no stack (or no /proc) to read. */
    Map<String, Double> read() {
        Map<String, Double> seconds = new TreeMap<>();
        for (Path file : pids()) {
            String name = file.getFileName().toString().replace(".pid", "");
            try {
                seconds.put(name, ticks(Files.readString(Path.of("/proc", Files.readString(file).strip(), "stat"))) / TICKS_PER_SECOND);
            } catch (IOException | RuntimeException notRunning) {
                // a process of the stack that is not running: it spent nothing
            }
        }
        return seconds;
    }

    /** CPU seconds so far of the JIT compiler threads ({@code C1/C2 CompilerThread}) of every JVM of the stack. */
    double compilerSeconds() {
        double seconds = 0;
        for (Path pid : pids()) {
            try (DirectoryStream<Path> threads = Files.newDirectoryStream(Path.of("/proc", Files.readString(pid).strip(), "task"))) {
                for (Path thread : threads) {
                    if (Files.readString(thread.resolve("comm")).strip().matches("C[12] CompilerThre.*")) {
                        seconds += ticks(Files.readString(thread.resolve("stat"))) / TICKS_PER_SECOND;
                    }
                }
            } catch (IOException | RuntimeException notRunning) {
                // a process (or thread) that is gone: it compiles nothing
            }
        }
        return seconds;
    }

    static double total(Map<String, Double> seconds) {
        return seconds.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private List<Path> pids() {
        if (!Files.isDirectory(pidDir)) {
            return List.of();
        }
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(pidDir, "*.pid")) {
            List<Path> files = new ArrayList<>();
            pids.forEach(files::add);
            return files;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** User plus system ticks of a {@code /proc/.../stat} line (the command name, field 2, may hold spaces). */
    private static long ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /**
     * Follows a fleet run from its progress reports: CPU per message over the publishing itself, from the
     * first report to the last, which leaves out connecting the fleet and the loss check's queries after it
     * (ClickHouse's figure still includes the end-to-end sampler's lookups, about 50 small queries a second).
     */
    final class Window {
        private Map<String, Double> first;
        private long firstAcked;
        private Map<String, Double> last;
        private long lastAcked;

        void onProgress(FleetSimulator.Progress progress) {
            Map<String, Double> now = read();
            if (first == null) {
                first = now;
                firstAcked = progress.acked();
            } else {
                last = now;
                lastAcked = progress.acked();
            }
        }

        /** Microseconds per message per process, or an empty map when the run was too short to measure. */
        Map<String, Double> perMessage() {
            return last == null ? new TreeMap<>() : StackCpu.perMessage(first, last, lastAcked - firstAcked);
        }
    }

    Window window() {
        return new Window();
    }

    /** Microseconds of CPU per message per process between two readings. */
    static Map<String, Double> perMessage(Map<String, Double> before, Map<String, Double> after, long messages) {
        Map<String, Double> micros = new TreeMap<>();
        after.forEach((name, seconds) -> micros.put(name, messages == 0 ? 0 : (seconds - before.getOrDefault(name, 0.0)) * 1e6 / messages));
        return micros;
    }

    /** The per-process figures summed by kind (processor-1 and processor-2 are "processors"), plus the stack's total. */
    static Map<String, Double> byKind(Map<String, Double> perProcess) {
        Map<String, Double> kinds = new LinkedHashMap<>();
        double total = 0;
        for (String kind : KINDS) {
            kinds.put(kind, 0.0);
        }
        for (Map.Entry<String, Double> process : perProcess.entrySet()) {
            String kind = kindOf(process.getKey());
            kinds.merge(kind, process.getValue(), Double::sum);
            total += process.getValue();
        }
        kinds.put("stack", total);
        return kinds;
    }

    static String kindOf(String process) {
        if (process.startsWith("processor")) {
            return "processors";
        }
        if (process.startsWith("bridge")) {
            return "bridges";
        }
        if (process.startsWith("haproxy")) {
            return "haproxy";
        }
        if (process.startsWith("sink")) {
            return "sink";
        }
        return process;
    }
}
