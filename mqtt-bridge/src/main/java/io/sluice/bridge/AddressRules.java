package io.sluice.bridge;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Allow and deny lists of CIDR ranges for device addresses (the real ones, from the PROXY protocol
 * header when behind HAProxy). A deny match refuses; otherwise an empty allow list admits everyone, and
 * a non-empty one admits only its ranges.
 */
final class AddressRules {

    /** One CIDR range, such as {@code 10.0.0.0/8} or {@code fd00::/8}. */
    record Cidr(byte[] network, int prefixBits, String text) {

        static Cidr parse(String text) {
            String trimmed = text.strip();
            int slash = trimmed.indexOf('/');
            String host = slash < 0 ? trimmed : trimmed.substring(0, slash);
            if (!host.matches("[0-9A-Fa-f:.]+")) {
                throw new IllegalArgumentException("'" + text + "' is not a CIDR range (an IP address, optionally /prefix)");
            }
            byte[] address;
            try {
                address = InetAddress.getByName(host).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + text + "' is not a CIDR range");
            }
            int bits = address.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(trimmed.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("'" + text + "': the prefix length must be 0 to " + bits);
                }
            }
            return new Cidr(address, prefix, trimmed);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Cidr> allow;
    private final List<Cidr> deny;

    AddressRules(List<String> allow, List<String> deny) {
        this.allow = parseAll(allow);
        this.deny = parseAll(deny);
    }

    private static List<Cidr> parseAll(List<String> ranges) {
        List<Cidr> parsed = new ArrayList<>();
        for (String range : ranges) {
            if (!range.isBlank()) {
                parsed.add(Cidr.parse(range));
            }
        }
        return List.copyOf(parsed);
    }

    /** Whether a device at this address (an IP literal) may connect. */
    boolean admits(String hostAddress) {
        if (allow.isEmpty() && deny.isEmpty()) {
            return true;
        }
        byte[] address;
        try {
            address = InetAddress.getByName(stripZone(hostAddress)).getAddress();
        } catch (UnknownHostException e) {
            return false;
        }
        for (Cidr range : deny) {
            if (range.contains(address)) {
                return false;
            }
        }
        if (allow.isEmpty()) {
            return true;
        }
        for (Cidr range : allow) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static String stripZone(String host) {
        int percent = host.indexOf('%');
        return percent < 0 ? host : host.substring(0, percent);
    }
}
