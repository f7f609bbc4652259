package io.gatehouse.config;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A backend entity ({@code backends/<id>/backendInformation.json}), used by
 * {@code <set-backend-service backend-id="..."/>}: either a single service with a URL, or, as APIM's load-balanced
 * pools, a set of other (single) backends chosen by priority and weight.
 *
 * @param id             the id: its folder name
 * @param type           single service or pool
 * @param url            the backend's base URL; present exactly when the type is {@link Type#SINGLE}
 * @param protocol       {@code http} (REST) or {@code soap}
 * @param description    the description, or an empty string
 * @param pool           the pool's members, in the order the file lists them; empty unless a pool
 * @param credentials    headers and query parameters added to every request forwarded to this backend
 * @param circuitBreaker the circuit breaker's rules; empty for none
 */
public record Backend(String id,
                      Type type,
                      Optional<URI> url,
                      String protocol,
                      String description,
                      List<PoolMember> pool,
                      Credentials credentials,
                      List<CircuitBreakerRule> circuitBreaker) {

    /**
     * Creates a backend.
     *
     * @param id             id
     * @param type           type
     * @param url            URL, for a single backend
     * @param protocol       protocol
     * @param description    description
     * @param pool           members, for a pool
     * @param credentials    credentials
     * @param circuitBreaker circuit breaker rules
     */
    public Backend {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(description, "description");
        pool = List.copyOf(pool);
        Objects.requireNonNull(credentials, "credentials");
        circuitBreaker = List.copyOf(circuitBreaker);
        if (type == Type.SINGLE && (url.isEmpty() || !pool.isEmpty())) {
            throw new IllegalArgumentException("backend '" + id + "': a single backend has a URL and no pool");
        }
        if (type == Type.POOL && (url.isPresent() || pool.isEmpty())) {
            throw new IllegalArgumentException("backend '" + id + "': a pool has members and no URL");
        }
    }

    /**
     * Creates a single backend without credentials or circuit breaker.
     *
     * @param id          id
     * @param url         URL
     * @param protocol    protocol
     * @param description description
     */
    public Backend(String id, URI url, String protocol, String description) {
        this(id, Type.SINGLE, Optional.of(url), protocol, description, List.of(), Credentials.NONE, List.of());
    }

    /** The kind of backend, APIM's {@code properties.type}. */
    public enum Type {
        /** One service at one URL ({@code Single}, the default). */
        SINGLE("Single"),
        /** A load-balanced pool of single backends ({@code Pool}). */
        POOL("Pool");

        private final String apimName;

        Type(String apimName) {
            this.apimName = apimName;
        }

        /**
         * The name APIM and the snapshot JSON use.
         *
         * @return {@code Single} or {@code Pool}
         */
        public String apimName() {
            return apimName;
        }
    }

    /**
     * One member of a pool.
     *
     * @param backendId the member: a single backend's id
     * @param priority  its priority group, 1 or more; lower groups are used first
     * @param weight    its share within the group, 1 or more
     */
    public record PoolMember(String backendId, int priority, int weight) {

        /**
         * Creates a member.
         *
         * @param backendId backend id
         * @param priority  priority
         * @param weight    weight
         */
        public PoolMember {
            Objects.requireNonNull(backendId, "backendId");
            if (priority < 0 || weight < 0) {
                throw new IllegalArgumentException("priority and weight must not be negative");
            }
        }
    }

    /**
     * Credentials a backend is called with, as APIM's {@code properties.credentials}: each header and query parameter
     * with its values. The maps are sorted by name, so the snapshot's JSON form does not depend on the file's order.
     *
     * @param header header name → values
     * @param query  query parameter name → values
     */
    public record Credentials(Map<String, List<String>> header, Map<String, List<String>> query) {

        /** No credentials. */
        public static final Credentials NONE = new Credentials(Map.of(), Map.of());

        /**
         * Creates credentials.
         *
         * @param header headers
         * @param query  query parameters
         */
        public Credentials {
            header = sortedCopy(header);
            query = sortedCopy(query);
        }

        /**
         * Whether there are none.
         *
         * @return true without headers and query parameters
         */
        public boolean isEmpty() {
            return header.isEmpty() && query.isEmpty();
        }

        // Credential values are secrets: only the names are shown.
        @Override
        public String toString() {
            return "Credentials[header=" + header.keySet() + ", query=" + query.keySet() + "]";
        }

        private static Map<String, List<String>> sortedCopy(Map<String, List<String>> map) {
            TreeMap<String, List<String>> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(Objects.requireNonNull(k, "name"), List.copyOf(v)));
            return Collections.unmodifiableMap(sorted);
        }
    }

    /**
     * One circuit breaker rule, as APIM's {@code properties.circuitBreaker.rules[]}: when {@code count} failures
     * happen within {@code interval}, the backend is not called for {@code tripDuration}.
     *
     * @param name             the rule's name, or an empty string
     * @param count            failures that trip the breaker, 1 or more
     * @param interval         the sliding window failures are counted in
     * @param statusCodeRanges answers that count as failures
     * @param errorReasons     error reasons that count as failures (kept as given)
     * @param tripDuration     how long a tripped breaker stays open
     * @param acceptRetryAfter whether a backend's {@code Retry-After} replaces {@code tripDuration}
     */
    public record CircuitBreakerRule(String name,
                                     int count,
                                     Duration interval,
                                     List<StatusCodeRange> statusCodeRanges,
                                     List<String> errorReasons,
                                     Duration tripDuration,
                                     boolean acceptRetryAfter) {

        /**
         * Creates a rule.
         *
         * @param name             name
         * @param count            count
         * @param interval         interval
         * @param statusCodeRanges status ranges
         * @param errorReasons     error reasons
         * @param tripDuration     trip duration
         * @param acceptRetryAfter accept Retry-After
         */
        public CircuitBreakerRule {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(interval, "interval");
            statusCodeRanges = List.copyOf(statusCodeRanges);
            errorReasons = List.copyOf(errorReasons);
            Objects.requireNonNull(tripDuration, "tripDuration");
        }
    }

    /**
     * An inclusive range of HTTP status codes.
     *
     * @param min lowest code
     * @param max highest code
     */
    public record StatusCodeRange(int min, int max) {

        /**
         * Whether a status is in the range.
         *
         * @param status the status
         * @return true if {@code min <= status <= max}
         */
        public boolean contains(int status) {
            return status >= min && status <= max;
        }
    }
}
