package io.sluice.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class OrderedAcksTest {

    private final OrderedAcks<String> acks = new OrderedAcks<>();

    @Test
    void answersInOrderGoAtOnce() {
        OrderedAcks.Slot<String> first = acks.enqueue();
        OrderedAcks.Slot<String> second = acks.enqueue();
        assertEquals(List.of("1"), acks.complete(first, "1"));
        assertEquals(List.of("2"), acks.complete(second, "2"));
        assertEquals(0, acks.waiting());
    }

    @Test
    void aLaterAnswerWaitsForEveryEarlierOne() {
        OrderedAcks.Slot<String> first = acks.enqueue();
        OrderedAcks.Slot<String> second = acks.enqueue();
        OrderedAcks.Slot<String> third = acks.enqueue();
        assertEquals(List.of(), acks.complete(third, "3"));
        assertEquals(List.of(), acks.complete(second, "2"));
        assertEquals(3, acks.waiting());
        assertEquals(List.of("1", "2", "3"), acks.complete(first, "1"));
        assertEquals(0, acks.waiting());
    }
}
