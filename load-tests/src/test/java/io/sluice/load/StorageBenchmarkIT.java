package io.sluice.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short ./sluice bench storage on chdb: both dialects hold every reading once, and the current one is the smaller. */
class StorageBenchmarkIT {

    @Test
    void bothDialectsKeepEveryReadingOnceAndTheCurrentOneTakesLessSpace(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<StorageBenchmark.Side> sides = StorageBenchmark.run(20, 300, dir.resolve("work"), dir.resolve("storage.json"),
                new PrintStream(printed, true, StandardCharsets.UTF_8));
        String out = printed.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertEquals(2, sides.size());
        for (StorageBenchmark.Side side : sides) {
            assertEquals(20 * 4 * 300, side.readings(), side.dialect() + ": the retransmits collapsed, nothing else");
            assertEquals(StorageBenchmark.QUERIES.keySet(), side.queryMillis().keySet(), side.dialect() + ": every query ran");
            assertTrue(side.reads().textNanosPerRow() > 0 && side.reads().typedNanosPerRow() > 0, side.dialect() + ": both reads timed");
        }
        assertTrue(sides.get(1).bytesPerReading() < sides.get(0).bytesPerReading() / 2, out);
        assertTrue(out.contains("bytes per reading"), out);
        assertTrue(Files.readString(dir.resolve("storage.json")).contains("\"bytesPerReading\""));
    }
}
