package io.sluice.bridge.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks device credentials against the credentials file, and picks up changes to the file.
 *
 * <p>A slow hash per connection would make a reconnect storm (a whole fleet coming back after an
 * outage) cost minutes of CPU, so a secret verified once is remembered as a peppered SHA-256 digest
 * (never the secret) for as long as the device's entry is unchanged: the next connection of that device
 * costs one SHA-256. A changed or removed entry drops what was remembered.
 *
 * <p>{@link #verify} is slow on a cache miss: call it off the event loop.
 */
public final class Authenticator {

    /** Why a connection was refused, in the words of the session events and metrics. */
    public enum Failure { UNKNOWN_DEVICE, BAD_PASSWORD, NO_CREDENTIALS }

    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);

    private final Path file;
    private final byte[] pepper = new byte[32];
    private final Map<String, byte[]> verified = new ConcurrentHashMap<>();
    private volatile DeviceCredentials credentials;
    private volatile FileTime loadedModified;
    private volatile long loadedSize;

    private Authenticator(Path file, DeviceCredentials credentials, FileTime modified, long size) {
        this.file = file;
        this.credentials = credentials;
        this.loadedModified = modified;
        this.loadedSize = size;
        new SecureRandom().nextBytes(pepper);
    }

    /** Loads the file; a missing or invalid file at start-up is a configuration error. */
    public static Authenticator load(Path file) throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        long size = Files.size(file);
        DeviceCredentials credentials = DeviceCredentials.read(file);
        LOG.info("authentication on: {} devices in {}", credentials.size(), file);
        return new Authenticator(file, credentials, modified, size);
    }

    /** The device id the credentials prove, or why not. */
    public Optional<Failure> verify(String username, String password) {
        if (username == null || password == null) {
            return Optional.of(Failure.NO_CREDENTIALS);
        }
        Optional<PasswordHash> hash = credentials.hashOf(username);
        if (hash.isEmpty()) {
            return Optional.of(Failure.UNKNOWN_DEVICE);
        }
        byte[] digest = PasswordHash.fastDigest(pepper, hash.get().text() + "\n" + password);
        byte[] known = verified.get(username);
        if (known != null && MessageDigest.isEqual(known, digest)) {
            return Optional.empty();
        }
        if (!hash.get().matches(password)) {
            return Optional.of(Failure.BAD_PASSWORD);
        }
        verified.put(username, digest);
        return Optional.empty();
    }

    /**
     * Reloads the file when its modification time or size changed. A file that no longer parses is
     * reported and ignored: the devices listed before keep working until it is fixed.
     *
     * @return whether a new version was loaded
     */
    public boolean reloadIfChanged() {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            if (modified.equals(loadedModified) && size == loadedSize) {
                return false;
            }
            loadedModified = modified;
            loadedSize = size;
            DeviceCredentials reloaded = DeviceCredentials.read(file);
            credentials = reloaded;
            verified.clear();
            LOG.info("credentials reloaded: {} devices in {}", reloaded.size(), file);
            return true;
        } catch (NoSuchFileException e) {
            LOG.error("credentials file {} is gone; keeping the {} devices loaded before", file, credentials.size());
        } catch (IOException | IllegalArgumentException e) {
            LOG.error("credentials file not reloaded, keeping the {} devices loaded before: {}", credentials.size(),
                    e.getMessage());
        }
        return false;
    }

    public int devices() {
        return credentials.size();
    }
}
