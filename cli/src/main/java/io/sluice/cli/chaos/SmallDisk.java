package io.sluice.cli.chaos;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small filesystem under a directory, for the disk-full scenario: a tmpfs of the directory's size plus some room,
 * holding a copy of it, bind-mounted over it, so that the process using it (Kafka, stopped meanwhile) finds its data
 * and a disk that {@link #fill()} can fill. {@link #close()} copies the data back onto the real disk and unmounts.
 * Needs root.
 */
final class SmallDisk implements AutoCloseable {

    private static final long ROOM_MB = 256;

    private final Path dir;
    private final Path disk;
    private final Path filler;

    private SmallDisk(Path dir, Path disk) {
        this.dir = dir;
        this.disk = disk;
        this.filler = disk.resolve("chaos-filler");
    }

    /** Puts {@code dir} (whose user is stopped) on a small tmpfs with its content. */
    static SmallDisk over(Path dir) throws IOException {
        Path disk = dir.resolveSibling(dir.getFileName() + "-chaos-disk");
        Files.createDirectories(disk);
        long sizeMb = sizeMb(dir) + ROOM_MB;
        run("mount", "-t", "tmpfs", "-o", "size=" + sizeMb + "m", "tmpfs", disk.toString());
        try {
            run("cp", "-a", dir + "/.", disk + "/");
            run("mount", "--bind", disk.toString(), dir.toString());
        } catch (IOException e) {
            runQuietly("umount", disk.toString());
            throw e;
        }
        return new SmallDisk(dir, disk);
    }

    /** Writes until the filesystem is full: the next write of whoever uses it fails with "no space left". */
    void fill() {
        byte[] block = new byte[1024 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // no space left: that was the point
        }
    }

    void free() {
        try {
            Files.deleteIfExists(filler);
        } catch (IOException e) {
            throw new IllegalStateException("could not free the disk: " + e.getMessage());
        }
    }

    /** With its user stopped: the data back onto the real disk, the small filesystem gone. */
    @Override
    public void close() throws IOException {
        free();
        Path copy = Files.createTempDirectory(dir.getParent(), "chaos-copy-");
        run("cp", "-a", disk + "/.", copy + "/");
        run("umount", dir.toString());
        run("umount", disk.toString());
        run("rm", "-rf", dir.toString(), disk.toString());
        Files.move(copy, dir);
    }

    private static long sizeMb(Path dir) throws IOException {
        String out = run("du", "-sm", dir.toString());
        return Long.parseLong(out.strip().split("\\s+")[0]);
    }

    private static String run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        try {
            if (process.waitFor() != 0) {
                throw new IOException("'" + String.join(" ", command) + "' failed (the disk-full scenario needs root): " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return output;
    }

    private static void runQuietly(String... command) {
        try {
            run(command);
        } catch (IOException e) {
            // best effort
        }
    }
}
