package io.sluice.bridge;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The acknowledgements of one connection, released in the order its publishes arrived, as MQTT
 * requires of PUBACK and PUBREC [MQTT-4.6.0-2, -3]. Kafka may acknowledge a connection's writes out
 * of that order (they can go to different partitions), so each outcome waits here until every
 * earlier publish has its own. Touched only on the connection's event loop; its size is bounded by
 * the publishes the connection has in flight.
 */
final class OrderedAcks<A> {

    /** One publish waiting for its outcome; {@code answer} is set when the outcome arrives. */
    static final class Slot<A> {
        private A answer;
    }

    private final ArrayDeque<Slot<A>> pending = new ArrayDeque<>();

    /** Takes a place in line for a publish that just arrived. */
    Slot<A> enqueue() {
        Slot<A> slot = new Slot<>();
        pending.addLast(slot);
        return slot;
    }

    /** Records a publish's answer; returns the answers now free to go, in arrival order. */
    List<A> complete(Slot<A> slot, A answer) {
        slot.answer = answer;
        List<A> released = new ArrayList<>();
        while (!pending.isEmpty() && pending.peekFirst().answer != null) {
            released.add(pending.pollFirst().answer);
        }
        return released;
    }

    int waiting() {
        return pending.size();
    }
}
