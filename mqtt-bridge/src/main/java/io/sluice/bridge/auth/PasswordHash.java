package io.sluice.bridge.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A salted slow hash of a device secret: PBKDF2 with HMAC-SHA256, written as
 * {@code pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>}. The iteration count travels with
 * each hash, so it can be raised for new entries without invalidating old ones.
 */
public record PasswordHash(int iterations, byte[] salt, byte[] hash) {

    public static final String SCHEME = "pbkdf2-sha256";
    /**
     * The default work factor. Device secrets made by {@code ./sluice device add} are 128 random bits,
     * which no iteration count needs to protect against guessing; the slow hash protects secrets
     * people chose. Raise it with {@code --iterations} for those.
     */
    public static final int DEFAULT_ITERATIONS = 10_000;
    public static final int MIN_ITERATIONS = 1_000;
    /**
     * The most iterations an entry may ask for: each login costs this many HMACs on the bridge, so an entry with
     * a billion (a typo, or a file an attacker touched) would make every login of that device a CPU bomb.
     * OWASP's 2023 advice for PBKDF2-HMAC-SHA256 is 600,000.
     */
    public static final int MAX_ITERATIONS = 1_000_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    public static PasswordHash of(String secret, int iterations) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new PasswordHash(iterations, salt, derive(secret, salt, iterations));
    }

    /** Parses the text form; the message of the exception says what is wrong, never the hash itself. */
    public static PasswordHash parse(String text) {
        String[] parts = text.split("\\$");
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            throw new IllegalArgumentException("not a " + SCHEME + "$<iterations>$<salt>$<hash> entry");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the iteration count is not a number");
        }
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("the iteration count is outside " + MIN_ITERATIONS + ".." + MAX_ITERATIONS);
        }
        try {
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] hash = Base64.getDecoder().decode(parts[3]);
            if (salt.length < 8 || hash.length != HASH_BYTES) {
                throw new IllegalArgumentException("salt or hash of the wrong length");
            }
            return new PasswordHash(iterations, salt, hash);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("salt or hash is not valid base64 of the right length");
        }
    }

    /** Whether the secret matches, compared in constant time. Costs {@link #iterations()} HMACs. */
    public boolean matches(String secret) {
        return MessageDigest.isEqual(hash, derive(secret, salt, iterations));
    }

    public String text() {
        return SCHEME + "$" + iterations + "$" + Base64.getEncoder().withoutPadding().encodeToString(salt) + "$"
                + Base64.getEncoder().withoutPadding().encodeToString(hash);
    }

    /** A new random device secret: 128 bits, URL-safe base64. */
    public static String newSecret() {
        byte[] secret = new byte[16];
        RANDOM.nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    private static byte[] derive(String secret, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(), salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JVM", e);
        } finally {
            spec.clearPassword();
        }
    }

    /** A fast digest of a secret, for remembering a verified secret without keeping it. */
    static byte[] fastDigest(byte[] pepper, String secret) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(pepper);
            return sha.digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return SCHEME + " hash (" + iterations + " iterations)";
    }
}
