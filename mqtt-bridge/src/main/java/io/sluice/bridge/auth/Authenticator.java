package io.sluice.bridge.auth;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks device credentials against the credentials file, and picks up changes to the file.
 *
 * <p>A slow hash per connection would make a reconnect storm (a whole fleet coming back after an
 * outage) cost minutes of CPU, so a secret verified once is remembered as a peppered SHA-256 digest
 * (never the secret) for as long as the device's entry is unchanged: the next connection of that device
 * costs one SHA-256, cheap enough to check on the event loop ({@link #remembered}) before any queue, so that
 * a flood of wrong passwords cannot hold a known device back. An unknown device costs a full slow hash of a
 * decoy entry, as a wrong password does: the time of a refusal does not tell which devices exist.
 *
 * <p>{@link #verify} is slow when the secret is not remembered: call it off the event loop.
 */
public final class Authenticator {

    /** Why a connection was refused, in the words of the session events and metrics. */
    public enum Failure { UNKNOWN_DEVICE, BAD_PASSWORD, NO_CREDENTIALS }

    /** The outcome of a check: the entry the secret matched (it identifies the credential), or why not. */
    public record Verdict(PasswordHash entry, Failure failure) {
        public boolean verified() {
            return failure == null;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);

    private final WatchedFile file;
    private final byte[] pepper = new byte[32];
    /** Only devices of the file that proved their secret: bounded by the file. */
    private final Map<String, byte[]> verified = new ConcurrentHashMap<>();
    private volatile DeviceCredentials credentials;
    private volatile PasswordHash decoy;

    private Authenticator(WatchedFile file, DeviceCredentials credentials) {
        this.file = file;
        new SecureRandom().nextBytes(pepper);
        use(credentials);
    }

    /** Loads the file; a missing or invalid file at start-up is a configuration error. */
    public static Authenticator load(Path path) throws IOException {
        WatchedFile file = new WatchedFile(path);
        DeviceCredentials credentials = DeviceCredentials.parse(path.toString(), file.changed().orElseThrow());
        LOG.info("authentication on: {} devices in {}", credentials.size(), path);
        return new Authenticator(file, credentials);
    }

    private void use(DeviceCredentials loaded) {
        credentials = loaded;
        decoy = PasswordHash.of(PasswordHash.newSecret(), loaded.commonIterations());
    }

    /**
     * The device's current entry when it proved exactly this secret against it before; empty when not remembered
     * (which says nothing about the secret). Fast: one SHA-256, fit for an event loop.
     */
    public Optional<PasswordHash> remembered(String username, String password) {
        if (username == null || password == null) {
            return Optional.empty();
        }
        byte[] known = verified.get(username);
        Optional<PasswordHash> entry = credentials.hashOf(username);
        if (known == null || entry.isEmpty()) {
            return Optional.empty();
        }
        return MessageDigest.isEqual(known, digest(entry.get(), password)) ? entry : Optional.empty();
    }

    /** Checks a username (the device id) and password; slow (PBKDF2) unless the secret is remembered. */
    public Verdict verify(String username, String password) {
        if (username == null || password == null) {
            return new Verdict(null, Failure.NO_CREDENTIALS);
        }
        Optional<PasswordHash> remembered = remembered(username, password);
        if (remembered.isPresent()) {
            return new Verdict(remembered.get(), null);
        }
        Optional<PasswordHash> entry = credentials.hashOf(username);
        if (entry.isEmpty()) {
            decoy.matches(password);
            return new Verdict(null, Failure.UNKNOWN_DEVICE);
        }
        if (!entry.get().matches(password)) {
            return new Verdict(null, Failure.BAD_PASSWORD);
        }
        verified.put(username, digest(entry.get(), password));
        return new Verdict(entry.get(), null);
    }

    /** Whether the entry a session was admitted with is still the device's entry (not removed, not replaced). */
    public boolean current(String deviceId, PasswordHash entry) {
        return credentials.hashOf(deviceId).map(now -> now == entry).orElse(false);
    }

    /**
     * Rereads the file when its content changed. A file that no longer parses is reported once and ignored: the
     * devices listed before keep working until it is fixed. Call it from one thread at a time: versions are
     * applied in the order they are read.
     *
     * @return the devices the new version removed or gave a new secret (empty when nothing changed)
     */
    public Set<String> reloadIfChanged() {
        try {
            Optional<byte[]> content = file.changed();
            if (content.isEmpty()) {
                return Set.of();
            }
            DeviceCredentials reloaded = DeviceCredentials.parse(file.path().toString(), content.get());
            Set<String> revoked = credentials.revokedBy(reloaded);
            use(reloaded);
            revoked.forEach(verified::remove);
            LOG.info("credentials reloaded: {} devices in {}, {} removed or changed", reloaded.size(), file.path(),
                    revoked.size());
            return revoked;
        } catch (NoSuchFileException e) {
            LOG.error("credentials file {} is gone; keeping the {} devices loaded before", file.path(), credentials.size());
        } catch (IOException | IllegalArgumentException e) {
            LOG.error("credentials file not reloaded, keeping the {} devices loaded before: {}", credentials.size(),
                    e.getMessage());
        }
        return Set.of();
    }

    public int devices() {
        return credentials.size();
    }

    private byte[] digest(PasswordHash entry, String password) {
        return PasswordHash.fastDigest(pepper, entry.text() + "\n" + password);
    }
}
