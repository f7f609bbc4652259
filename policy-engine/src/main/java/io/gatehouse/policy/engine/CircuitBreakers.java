package io.gatehouse.policy.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.gatehouse.config.Backend;

/**
 * The circuit breakers of a gateway node, one per backend entity with {@code circuitBreaker} rules, as APIM's: a
 * rule counts failures (an answer whose status is in its ranges, or no answer at all) in a sliding window, and at
 * {@code count} failures the backend is not called for {@code tripDuration} (or the backend's {@code Retry-After},
 * when the rule accepts it).
 *
 * <p>One instance lives beside the gateway for its whole life, so breakers survive configuration reloads; a backend
 * whose rules change gets a fresh breaker. State is per node, not shared by replicas, and bounded: past
 * {@code maxBackends} breakers, further backends are not tracked and count as available.
 */
public final class CircuitBreakers {

    /** How many backends are tracked unless told otherwise. */
    public static final int DEFAULT_MAX_BACKENDS = 10_000;

    /** Tracks nothing: every backend is available. */
    static final CircuitBreakers DISABLED = new CircuitBreakers(Clock.systemUTC(), 0);

    private final Clock clock;
    private final int maxBackends;
    private final ConcurrentHashMap<String, Breaker> breakers = new ConcurrentHashMap<>();

    /**
     * Creates the breakers of one gateway.
     *
     * @param clock       the time source (the gateway's, so tests can move it)
     * @param maxBackends how many backends to track at most
     */
    public CircuitBreakers(Clock clock, int maxBackends) {
        this.clock = clock;
        this.maxBackends = maxBackends;
    }

    /**
     * Whether a backend may be called now.
     *
     * @param backend a single backend
     * @return false while its breaker is open
     */
    public boolean available(Backend backend) {
        if (backend.circuitBreaker().isEmpty()) {
            return true;
        }
        Breaker breaker = breakers.get(backend.id());
        return breaker == null || !breaker.rules.equals(backend.circuitBreaker()) || !breaker.open(clock.instant());
    }

    /**
     * Records an answer of the backend.
     *
     * @param backend    the backend called
     * @param status     the answer's status
     * @param retryAfter the answer's {@code Retry-After} header, if any
     */
    public void answered(Backend backend, int status, Optional<String> retryAfter) {
        if (!backend.circuitBreaker().isEmpty()) {
            breaker(backend).ifPresent(b -> b.failure(status, retryAfter, clock.instant()));
        }
    }

    /**
     * Records that the backend could not be reached or did not answer in time.
     *
     * @param backend the backend called
     */
    public void failed(Backend backend) {
        if (!backend.circuitBreaker().isEmpty()) {
            breaker(backend).ifPresent(b -> b.failure(-1, Optional.empty(), clock.instant()));
        }
    }

    private Optional<Breaker> breaker(Backend backend) {
        Breaker existing = breakers.get(backend.id());
        if (existing != null && existing.rules.equals(backend.circuitBreaker())) {
            return Optional.of(existing);
        }
        if (existing == null && breakers.size() >= maxBackends) {
            return Optional.empty();
        }
        Breaker fresh = new Breaker(backend.circuitBreaker());
        return Optional.of(breakers.compute(backend.id(), (id, b) -> b != null && b.rules.equals(fresh.rules) ? b : fresh));
    }

    /** Seconds or an HTTP date, as {@code Retry-After} may be; empty when it is neither or in the past. */
    static Optional<Duration> retryAfter(String value, Instant now) {
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds > 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() || d.isZero() ? Optional.empty() : Optional.of(d);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }

    /** One backend's breaker: a window of recent failures per rule, and until when it is open. */
    private static final class Breaker {
        private final List<Backend.CircuitBreakerRule> rules;
        private final List<ArrayDeque<Instant>> failures;
        private Instant openUntil = Instant.MIN;

        Breaker(List<Backend.CircuitBreakerRule> rules) {
            this.rules = rules;
            this.failures = rules.stream().map(r -> new ArrayDeque<Instant>(Math.min(r.count(), 64))).toList();
        }

        synchronized boolean open(Instant now) {
            return now.isBefore(openUntil);
        }

        /** @param status the answer's status, or -1 for no answer, which every rule counts */
        synchronized void failure(int status, Optional<String> retryAfter, Instant now) {
            for (int i = 0; i < rules.size(); i++) {
                Backend.CircuitBreakerRule rule = rules.get(i);
                if (status >= 0 && rule.statusCodeRanges().stream().noneMatch(r -> r.contains(status))) {
                    continue;
                }
                ArrayDeque<Instant> window = failures.get(i);
                Instant since = now.minus(rule.interval());
                while (!window.isEmpty() && !window.peekFirst().isAfter(since)) {
                    window.removeFirst();
                }
                window.addLast(now);
                if (window.size() >= rule.count()) {
                    Duration trip = rule.tripDuration();
                    if (rule.acceptRetryAfter() && retryAfter.isPresent()) {
                        trip = retryAfter(retryAfter.get(), now).orElse(trip);
                    }
                    Instant until = now.plus(trip);
                    openUntil = until.isAfter(openUntil) ? until : openUntil;
                    window.clear();
                }
            }
        }
    }
}
