package io.sluice.bridge.auth;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device certificates refused although their CA signed them: one serial number per line, in hexadecimal as
 * {@code openssl x509 -serial} prints it (colons and case do not matter); blank lines and {@code #} comments are
 * ignored. The bridge rereads the file when its content changes and closes the live sessions of certificates
 * that appear in it.
 */
public final class CertificateDenyList {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateDenyList.class);

    private final WatchedFile file;
    private volatile Set<BigInteger> serials;

    private CertificateDenyList(WatchedFile file, Set<BigInteger> serials) {
        this.file = file;
        this.serials = serials;
    }

    /** Loads the file; a missing or invalid file at start-up is a configuration error. */
    public static CertificateDenyList load(Path path) throws IOException {
        WatchedFile file = new WatchedFile(path);
        Set<BigInteger> serials = parse(path.toString(), file.changed().orElseThrow());
        LOG.info("certificate deny list: {} serial numbers in {}", serials.size(), path);
        return new CertificateDenyList(file, serials);
    }

    static Set<BigInteger> parse(String source, byte[] content) {
        Set<BigInteger> serials = new HashSet<>();
        List<String> lines = new String(content, StandardCharsets.UTF_8).lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String hex = line.replace(":", "");
            if (hex.startsWith("serial=")) {
                hex = hex.substring("serial=".length());
            }
            if (hex.isEmpty() || hex.length() > 64 || !hex.matches("[0-9A-Fa-f]+")) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": not a hexadecimal serial number");
            }
            serials.add(new BigInteger(hex, 16));
        }
        return Set.copyOf(serials);
    }

    public boolean denies(BigInteger serial) {
        return serial != null && serials.contains(serial);
    }

    /**
     * Rereads the file when its content changed; a file that no longer parses is reported once and ignored.
     *
     * @return whether a new version is in use
     */
    public boolean reloadIfChanged() {
        try {
            Optional<byte[]> content = file.changed();
            if (content.isEmpty()) {
                return false;
            }
            serials = parse(file.path().toString(), content.get());
            LOG.info("certificate deny list reloaded: {} serial numbers in {}", serials.size(), file.path());
            return true;
        } catch (NoSuchFileException e) {
            LOG.error("certificate deny list {} is gone; keeping the {} serial numbers loaded before", file.path(),
                    serials.size());
        } catch (IOException | IllegalArgumentException e) {
            LOG.error("certificate deny list not reloaded, keeping the {} serial numbers loaded before: {}", serials.size(),
                    e.getMessage());
        }
        return false;
    }
}
