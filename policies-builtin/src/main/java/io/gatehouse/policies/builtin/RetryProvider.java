package io.gatehouse.policies.builtin;

import java.time.Duration;
import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Value;

/**
 * {@code <retry condition="@(...)" count="N" interval="s" max-interval="s" delta="s" first-fast-retry="false">}
 * runs its policies, then again while the condition holds, up to {@code count} more times, waiting {@code interval}
 * seconds (growing by {@code delta} up to {@code max-interval}) between tries, as APIM. The request body is read into
 * memory first, so a retried {@code forward-request} can send it again.
 */
public final class RetryProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public RetryProvider() {
        super("retry", ALL);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("condition", "count", "interval", "max-interval", "delta", "first-fast-retry"));
        Value condition = element.requiredAttribute("condition");
        int count = (int) element.intAttribute("count", -1, 1, 50);
        long interval = element.intAttribute("interval", -1, 0, 3600);
        if (count < 0 || interval < 0) {
            throw new PolicyConfigException("attributes 'count' and 'interval' are required");
        }
        long delta = element.intAttribute("delta", 0, 0, 3600);
        long maxInterval = element.intAttribute("max-interval", Long.MAX_VALUE, 0, Long.MAX_VALUE);
        return new Retry(condition, count, Duration.ofSeconds(interval), Duration.ofSeconds(delta),
                         Duration.ofSeconds(Math.min(maxInterval, 3600)), element.booleanAttribute("first-fast-retry", false),
                         context.compileChildren(element));
    }

    private record Retry(Value condition, int count, Duration interval, Duration delta, Duration maxInterval,
                         boolean firstFast, Policy body) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            if (context.request().body().isPresent()) {
                context.request().body().bytes(true);
            }
            Duration wait = interval;
            for (int attempt = 0; ; attempt++) {
                Flow flow = body.apply(context);
                if (flow == Flow.RETURN || attempt >= count || !condition.evaluateBoolean(context)) {
                    return flow;
                }
                if (!(firstFast && attempt == 0)) {
                    sleep(wait);
                    Duration next = wait.plus(delta);
                    wait = next.compareTo(maxInterval) > 0 ? maxInterval : next;
                }
            }
        }

        private static void sleep(Duration d) throws PolicyException {
            try {
                Thread.sleep(d);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw PolicyException.internal("RetryInterrupted", "the retry wait was interrupted");
            }
        }

        @Override
        public String toString() {
            return "retry[count=" + count + ", interval=" + interval.toSeconds() + "s, condition=" + condition.source() + "]";
        }
    }
}
