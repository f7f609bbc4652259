package io.gatehouse.management;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.gatehouse.federation.Heartbeat;

/**
 * The gateway nodes the management plane has heard from, by gateway: each node's last heartbeat and when it came.
 * A node that missed three heartbeats shows as lost; one silent for a day is forgotten.
 */
final class Nodes {

    /** How many heartbeat intervals a node may miss before it shows as lost. */
    static final int MISSED_BEFORE_LOST = 3;
    private static final Duration FORGET_AFTER = Duration.ofDays(1);

    private final Clock clock;
    private final Map<String, Map<String, Node>> byGateway = new ConcurrentHashMap<>();

    /**
     * One node as last reported.
     *
     * @param gatewayId the gateway it belongs to
     * @param last      its last heartbeat
     * @param lastSeen  when that came
     * @param address   the address it came from
     */
    record Node(String gatewayId, Heartbeat last, Instant lastSeen, String address) {

        /**
         * Whether the node missed three heartbeats.
         *
         * @param now the current time
         * @return whether it is lost
         */
        boolean lost(Instant now) {
            Duration interval = Duration.ofSeconds(Math.max(1, last.intervalSeconds()));
            return lastSeen.plus(interval.multipliedBy(MISSED_BEFORE_LOST)).isBefore(now);
        }
    }

    Nodes(Clock clock) {
        this.clock = clock;
    }

    /**
     * Records a heartbeat.
     *
     * @param gatewayId the gateway (authenticated by its token)
     * @param heartbeat what the node reported
     * @param address   where it came from
     */
    void record(String gatewayId, Heartbeat heartbeat, String address) {
        byGateway.computeIfAbsent(gatewayId, id -> new ConcurrentHashMap<>())
                .put(heartbeat.nodeId(), new Node(gatewayId, heartbeat, clock.instant(), address));
    }

    /**
     * A gateway's nodes by node id; forgets those silent for a day.
     *
     * @param gatewayId the gateway
     * @return its nodes
     */
    List<Node> of(String gatewayId) {
        Map<String, Node> nodes = byGateway.getOrDefault(gatewayId, Map.of());
        Instant forget = clock.instant().minus(FORGET_AFTER);
        nodes.values().removeIf(n -> n.lastSeen().isBefore(forget));
        return nodes.values().stream().sorted(Comparator.comparing((Node n) -> n.last().nodeId())).toList();
    }

    /** @return the gateways any node has reported for */
    Set<String> gateways() {
        return Set.copyOf(byGateway.keySet());
    }

    /** @return the current time, as this registry sees it */
    Instant now() {
        return clock.instant();
    }
}
