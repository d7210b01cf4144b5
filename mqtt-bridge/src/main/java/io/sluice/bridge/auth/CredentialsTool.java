package io.sluice.bridge.auth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import io.sluice.schemas.mqtt.MqttTopics;

/**
 * Edits a credentials file ({@code ./sluice device add|remove|list}):
 * <pre>
 *   add FILE DEVICE_ID [--iterations N] [--secret-from-stdin]   prints the new secret (generated unless read)
 *   remove FILE DEVICE_ID
 *   list FILE
 * </pre>
 * The file is replaced atomically, so a bridge reloading it never reads half of it. Mistakes end with
 * one line on stderr and exit status 2.
 */
public final class CredentialsTool {

    private CredentialsTool() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("sluice device: " + e.getMessage());
            System.exit(2);
        }
    }

    public static void run(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: add FILE DEVICE_ID [--iterations N] [--secret-from-stdin] | remove FILE DEVICE_ID | list FILE");
        }
        Path file = Path.of(args[1]);
        List<String> lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : new ArrayList<>();
        DeviceCredentials.parse(file.toString(), lines);
        switch (args[0]) {
            case "list" -> lines.stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .map(l -> l.split("\\s+")[0]).sorted().forEach(System.out::println);
            case "add" -> add(file, lines, args);
            case "remove" -> {
                String device = deviceArgument(args);
                List<String> kept = without(lines, device);
                if (kept.size() == lines.size()) {
                    throw new IllegalArgumentException("device '" + device + "' is not in " + file);
                }
                write(file, kept);
                System.err.println("removed device " + device);
            }
            default -> throw new IllegalArgumentException("unknown command '" + args[0] + "': add, remove or list");
        }
    }

    private static void add(Path file, List<String> lines, String[] args) throws IOException {
        String device = deviceArgument(args);
        int iterations = PasswordHash.DEFAULT_ITERATIONS;
        boolean fromStdin = false;
        for (int i = 3; i < args.length; i++) {
            switch (args[i]) {
                case "--iterations" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--iterations needs a number");
                    }
                    try {
                        iterations = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--iterations needs a number, not '" + args[i] + "'");
                    }
                    if (iterations < PasswordHash.MIN_ITERATIONS) {
                        throw new IllegalArgumentException("--iterations must be at least " + PasswordHash.MIN_ITERATIONS);
                    }
                }
                case "--secret-from-stdin" -> fromStdin = true;
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        String secret = fromStdin ? readSecret() : PasswordHash.newSecret();
        List<String> updated = without(lines, device);
        updated.add(device + " " + PasswordHash.of(secret, iterations).text());
        write(file, updated);
        if (!fromStdin) {
            System.out.println(secret);
        }
        System.err.println((updated.size() == lines.size() ? "replaced" : "added") + " device " + device + " in " + file
                + (fromStdin ? "" : "; its secret is printed above, once: give it to the device as its MQTT password"));
    }

    private static String readSecret() throws IOException {
        String secret = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("no secret on standard input");
        }
        return secret;
    }

    private static String deviceArgument(String[] args) {
        if (args.length < 3) {
            throw new IllegalArgumentException(args[0] + " needs FILE and DEVICE_ID");
        }
        if (!MqttTopics.isValidDeviceId(args[2])) {
            throw new IllegalArgumentException("'" + args[2] + "' is not a valid device id (1 to "
                    + MqttTopics.MAX_DEVICE_ID_LENGTH + " of A-Z a-z 0-9 . _ : -)");
        }
        return args[2];
    }

    private static List<String> without(List<String> lines, String device) {
        List<String> kept = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.strip().split("\\s+");
            if (!(fields.length > 0 && fields[0].equals(device))) {
                kept.add(line);
            }
        }
        return kept;
    }

    /** Replaces the file atomically with {@code lines} (owner-only permissions), so a bridge reloading it never reads half of it. */
    public static void write(Path file, List<String> lines) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, ".credentials", ".tmp");
        try {
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: the directory's permissions have to do
        }
        Files.write(temp, lines, StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
