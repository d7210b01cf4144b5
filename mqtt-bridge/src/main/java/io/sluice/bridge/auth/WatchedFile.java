package io.sluice.bridge.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;

/**
 * A file the bridge rereads when its content changes. Changes are told by a digest of the content, not by the
 * modification time and size: a rewrite of the same size within the file system's time granularity (a password
 * replaced by another of the same length, within a second) is still seen.
 */
final class WatchedFile {

    private final Path path;
    private byte[] digest = new byte[0];

    WatchedFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    /** The file's content when it differs from what this method returned last (the first call always returns it). */
    synchronized Optional<byte[]> changed() throws IOException {
        byte[] content = Files.readAllBytes(path);
        byte[] now = sha256(content);
        if (Arrays.equals(now, digest)) {
            return Optional.empty();
        }
        digest = now;
        return Optional.of(content);
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
