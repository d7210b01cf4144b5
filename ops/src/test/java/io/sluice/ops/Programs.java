package io.sluice.ops;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Runs the programs the compose checks need (docker-compose, haproxy), installing a missing one when it may. */
final class Programs {

    /** What a run printed, and how it ended. */
    record Result(int exitCode, String stdout, String stderr) {

        String output() {
            return stdout + stderr;
        }
    }

    private Programs() {
    }

    /**
     * The program's path. A missing one is installed from its Debian package when this JVM runs as root (as ./sluice
     * test does on CI); otherwise the test fails saying how to install it.
     */
    static String require(String name, String debianPackage) {
        String found = find(name);
        if (found != null) {
            return found;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            fail(name + " is not installed: './sluice test' installs it, or run 'apt-get install -y " + debianPackage + "' as root");
        }
        Consumer<Map<String, String>> noninteractive = env -> env.put("DEBIAN_FRONTEND", "noninteractive");
        Result install = run(List.of("apt-get", "install", "-y", "-q", debianPackage), noninteractive, 600);
        if (install.exitCode() != 0) {
            run(List.of("apt-get", "update", "-q"), noninteractive, 600);
            install = run(List.of("apt-get", "install", "-y", "-q", debianPackage), noninteractive, 600);
        }
        found = find(name);
        if (found == null) {
            fail("could not install " + debianPackage + " for " + name + ":\n" + install.output());
        }
        return found;
    }

    private static String find(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/bin:/usr/local/bin:/sbin:/bin";
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        return null;
    }

    /** Runs {@code command} in the repository's root, its environment edited by {@code environment}. */
    static Result run(List<String> command, Consumer<Map<String, String>> environment, int timeoutSeconds) {
        try {
            Path out = Files.createTempFile("sluice-program", ".out");
            Path err = Files.createTempFile("sluice-program", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).directory(ComposeFile.ROOT.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                environment.accept(builder.environment());
                Process process = builder.start();
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
                }
                return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
