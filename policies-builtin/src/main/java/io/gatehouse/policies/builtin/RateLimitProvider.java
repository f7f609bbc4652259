package io.gatehouse.policies.builtin;

import java.time.Duration;
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
 * {@code <rate-limit calls="N" renewal-period="seconds"/>} and
 * {@code <rate-limit-by-key calls="N" renewal-period="seconds" counter-key="@(...)"/>}, as APIM: a sliding window;
 * {@code rate-limit} counts per subscription and per policy definition (calls without a subscription share one
 * counter), {@code rate-limit-by-key} one counter per key value, shared by every definition that uses the key. Over
 * the limit: 429 "Rate limit is exceeded. Try again in N seconds." with {@code Retry-After}. The optional
 * {@code remaining-calls-header-name}, {@code total-calls-header-name}, {@code retry-after-header-name},
 * {@code remaining-calls-variable-name} and {@code retry-after-variable-name} attributes are honoured.
 */
public final class RateLimitProvider extends BuiltinProvider {

    /** Creates the provider of {@code rate-limit} and {@code rate-limit-by-key} (ServiceLoader). */
    public RateLimitProvider() {
        super(Set.of("rate-limit", "rate-limit-by-key"), INBOUND);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        boolean byKey = element.name().equals("rate-limit-by-key");
        Set<String> allowed = new HashSet<>(Set.of("calls", "renewal-period", "remaining-calls-header-name",
                                                             "total-calls-header-name", "retry-after-header-name",
                                                             "remaining-calls-variable-name", "retry-after-variable-name"));
        if (byKey) {
            allowed.addAll(Set.of("counter-key", "increment-condition", "increment-count"));
        }
        element.allowAttributes(allowed);
        if (!element.children().isEmpty()) {
            throw new PolicyConfigException("per-API and per-operation limits nested in <" + element.name() + "> are not"
                    + " supported; put a <" + element.name() + "> in the API or operation policy instead");
        }
        long calls = element.intAttribute("calls", -1, 1, Integer.MAX_VALUE);
        long period = element.intAttribute("renewal-period", -1, 1, 300 * 24 * 3600L);
        if (calls < 0 || period < 0) {
            throw new PolicyConfigException("attributes 'calls' and 'renewal-period' are required");
        }
        Optional<Value> counterKey = byKey ? Optional.of(element.requiredAttribute("counter-key")) : Optional.empty();
        Optional<Value> condition = element.attribute("increment-condition");
        long increment = element.intAttribute("increment-count", 1, 1, Integer.MAX_VALUE);
        Headers headers = new Headers(element.literalAttribute("remaining-calls-header-name"),
                                      element.literalAttribute("total-calls-header-name"),
                                      element.literalAttribute("retry-after-header-name"),
                                      element.literalAttribute("remaining-calls-variable-name"),
                                      element.literalAttribute("retry-after-variable-name"));
        String definition = context.scope() + "|" + context.policyId();
        return new RateLimit(element.name(), calls, Duration.ofSeconds(period), definition, counterKey, condition,
                             increment, headers);
    }

    record Headers(Optional<String> remaining, Optional<String> total, Optional<String> retryAfter,
                   Optional<String> remainingVariable, Optional<String> retryAfterVariable) {
    }

    private record RateLimit(String element, long calls, Duration period, String definition, Optional<Value> counterKey,
                             Optional<Value> condition, long increment, Headers headers) implements Policy {

        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            if (condition.isPresent() && !condition.get().evaluateBoolean(context)) {
                return Flow.CONTINUE;
            }
            String key = counterKey.isPresent()
                    ? "rate-limit-by-key|" + counterKey.get().evaluateString(context)
                    : "rate-limit|" + definition + "|" + context.subscription().map(s -> s.id()).orElse("");
            CounterStore.Admission admission = context.services().counters()
                    .slidingWindow(key, calls, period, increment);
            long retryAfter = (admission.retryAfter().toMillis() + 999) / 1000;
            headers.remainingVariable().ifPresent(v -> context.variables().set(v, (int) admission.remaining()));
            headers.retryAfterVariable().ifPresent(v -> context.variables().set(v, (int) retryAfter));
            if (admission.admitted()) {
                headers.remaining().ifPresent(h -> context.response().headers().set(h, Long.toString(admission.remaining())));
                headers.total().ifPresent(h -> context.response().headers().set(h, Long.toString(calls)));
                return Flow.CONTINUE;
            }
            PolicyException limited = PolicyException.clientError("RateLimitExceeded", "Rate limit is exceeded. Try again in "
                    + retryAfter + " seconds.", 429).withHeader("Retry-After", Long.toString(retryAfter));
            headers.retryAfter().ifPresent(h -> limited.withHeader(h, Long.toString(retryAfter)));
            headers.remaining().ifPresent(h -> limited.withHeader(h, "0"));
            headers.total().ifPresent(h -> limited.withHeader(h, Long.toString(calls)));
            throw limited;
        }

        @Override
        public String toString() {
            return element + "[calls=" + calls + ", renewal-period=" + period.toSeconds() + "s"
                    + counterKey.map(k -> ", counter-key=" + k.source()).orElse("") + "]";
        }
    }
}
