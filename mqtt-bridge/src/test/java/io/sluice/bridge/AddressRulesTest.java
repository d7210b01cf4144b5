package io.sluice.bridge;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class AddressRulesTest {

    @Test
    void noRulesAdmitEveryone() {
        assertTrue(new AddressRules(List.of(), List.of()).admits("203.0.113.9"));
    }

    @Test
    void denyWinsOverAllowAndAllowListsAreExclusive() {
        AddressRules rules = new AddressRules(List.of("10.0.0.0/8", "2001:db8::/32"), List.of("10.6.0.0/16"));
        assertTrue(rules.admits("10.1.2.3"));
        assertFalse(rules.admits("10.6.0.1"));
        assertFalse(rules.admits("192.168.1.1"));
        assertTrue(rules.admits("2001:db8::1"));
        assertFalse(rules.admits("2001:db9::1"));
    }

    @Test
    void prefixesNotOnAByteBoundaryAndSingleHosts() {
        AddressRules rules = new AddressRules(List.of(), List.of("192.168.1.64/26", "198.51.100.7"));
        assertFalse(rules.admits("192.168.1.100"));
        assertTrue(rules.admits("192.168.1.128"));
        assertTrue(rules.admits("192.168.1.63"));
        assertFalse(rules.admits("198.51.100.7"));
        assertTrue(rules.admits("198.51.100.8"));
    }

    @Test
    void badRangesAreConfigurationErrors() {
        assertThrows(IllegalArgumentException.class, () -> new AddressRules(List.of("10.0.0.0/33"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new AddressRules(List.of("example.com"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new AddressRules(List.of(), List.of("10.0.0.0/x")));
    }
}
