package io.sluice.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stack's CPU as /proc reports it, read for this JVM standing in as a stack process. */
class StackCpuTest {

    @Test
    void readsEachRunningProcessAndItsCompilersAndSkipsTheGoneOnes(@TempDir Path pids) throws Exception {
        Files.writeString(pids.resolve("processor-1.pid"), ProcessHandle.current().pid() + "\n");
        Files.writeString(pids.resolve("bridge-1.pid"), "2147483646\n"); // no such process
        StackCpu cpu = new StackCpu(pids);
        long until = System.nanoTime() + 300_000_000L;
        double spin = 0;
        while (System.nanoTime() < until) {
            spin += Math.sqrt(spin + 1);
        }
        Map<String, Double> seconds = cpu.read();
        assertEquals(Set.of("processor-1"), seconds.keySet(), "the gone process is left out: " + seconds + spin);
        assertTrue(seconds.get("processor-1") >= 0.2, "this JVM spun 0.3 s: " + seconds);
        double compilers = cpu.compilerSeconds();
        assertTrue(compilers >= 0 && compilers < StackCpu.total(seconds), "compilers " + compilers + " within the process " + seconds);
        assertEquals(0.0, new StackCpu(pids.resolve("absent")).compilerSeconds());
    }

    @Test
    void byKindSumsReplicasAndTheStack() {
        Map<String, Double> kinds = StackCpu.byKind(Map.of("processor-1", 10.0, "processor-2", 12.0, "kafka", 5.0, "haproxy-2", 1.0));
        assertEquals(22.0, kinds.get("processors"));
        assertEquals(1.0, kinds.get("haproxy"));
        assertEquals(28.0, kinds.get("stack"));
        assertEquals(0.0, kinds.get("sink"));
    }
}
