package io.gatehouse.policies.builtin;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.CounterStore;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Value;

/**
 * {@code <quota calls="N" renewal-period="seconds"/>} and {@code <quota-by-key ... counter-key="..."/>}, as APIM: a
 * fixed window aligned to {@code first-period-start} (default the Unix epoch); over the quota, 403 "Out of call volume
 * quota. Quota will be replenished in hh:mm:ss." with {@code Retry-After}. Bandwidth quotas are not supported yet and
 * are refused at load.
 */
public final class QuotaProvider extends BuiltinProvider {

    /** Creates the provider of {@code quota} and {@code quota-by-key} (ServiceLoader). */
    public QuotaProvider() {
        super(Set.of("quota", "quota-by-key"), INBOUND);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        boolean byKey = element.name().equals("quota-by-key");
        Set<String> allowed = new HashSet<>(Set.of("calls", "bandwidth", "renewal-period"));
        if (byKey) {
            allowed.addAll(Set.of("counter-key", "increment-condition", "increment-count", "first-period-start"));
        }
        element.allowAttributes(allowed);
        if (element.attribute("bandwidth").isPresent()) {
            throw new PolicyConfigException("bandwidth quotas are not supported yet; use 'calls'");
        }
        if (!element.children().isEmpty()) {
            throw new PolicyConfigException("per-API and per-operation quotas nested in <" + element.name() + "> are not"
                    + " supported; put a <" + element.name() + "> in the API or operation policy instead");
        }
        long calls = element.intAttribute("calls", -1, 1, Integer.MAX_VALUE);
        long period = element.intAttribute("renewal-period", -1, 1, 10L * 365 * 24 * 3600);
        if (calls < 0 || period < 0) {
            throw new PolicyConfigException("attributes 'calls' and 'renewal-period' are required");
        }
        Instant start = Instant.EPOCH;
        Optional<String> first = element.literalAttribute("first-period-start");
        if (first.isPresent()) {
            try {
                start = Instant.parse(first.get().trim());
            } catch (DateTimeParseException e) {
                throw new PolicyConfigException("attribute 'first-period-start' must be an ISO-8601 instant such as"
                        + " 2024-01-01T00:00:00Z, was '" + first.get() + "'");
            }
        }
        Optional<Value> counterKey = byKey ? Optional.of(element.requiredAttribute("counter-key")) : Optional.empty();
        return new Quota(element.name(), calls, Duration.ofSeconds(period), start,
                         context.scope() + "|" + context.policyId(), counterKey, element.attribute("increment-condition"),
                         element.intAttribute("increment-count", 1, 1, Integer.MAX_VALUE));
    }

    /**
     * A .NET TimeSpan as APIM prints it: {@code hh:mm:ss}, with {@code d.} in front when a day or more.
     *
     * @param d the duration
     * @return the text
     */
    static String timeSpan(Duration d) {
        long seconds = Math.max(0, (d.toMillis() + 999) / 1000);
        long days = seconds / 86_400;
        String hms = String.format("%02d:%02d:%02d", (seconds / 3600) % 24, (seconds / 60) % 60, seconds % 60);
        return days > 0 ? days + "." + hms : hms;
    }

    private record Quota(String element, long calls, Duration period, Instant start, String definition,
                         Optional<Value> counterKey, Optional<Value> condition, long increment) implements Policy {

        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            if (condition.isPresent() && !condition.get().evaluateBoolean(context)) {
                return Flow.CONTINUE;
            }
            String key = counterKey.isPresent()
                    ? "quota-by-key|" + counterKey.get().evaluateString(context)
                    : "quota|" + definition + "|" + context.subscription().map(s -> s.id()).orElse("");
            CounterStore.Admission admission = context.services().counters()
                    .fixedWindow(key, calls, period, start, increment);
            if (admission.admitted()) {
                return Flow.CONTINUE;
            }
            long retryAfter = (admission.retryAfter().toMillis() + 999) / 1000;
            throw PolicyException.clientError("QuotaExceeded", "Out of call volume quota. Quota will be replenished in "
                    + timeSpan(admission.retryAfter()) + ".", 403).withHeader("Retry-After", Long.toString(retryAfter));
        }

        @Override
        public String toString() {
            return element + "[calls=" + calls + ", renewal-period=" + period.toSeconds() + "s]";
        }
    }
}
