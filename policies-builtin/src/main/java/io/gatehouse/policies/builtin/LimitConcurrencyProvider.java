package io.gatehouse.policies.builtin;

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
 * {@code limit-concurrency key="..." max-count="N"} around other policies: at most N exchanges with the same
 * key run the enclosed policies at once (typically {@code forward-request}); one more gets 429 at once, as APIM.
 */
public final class LimitConcurrencyProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public LimitConcurrencyProvider() {
        super("limit-concurrency", ALL);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("key", "max-count"));
        Value key = element.requiredAttribute("key");
        int max = (int) element.intAttribute("max-count", -1, 1, Integer.MAX_VALUE);
        if (max < 0) {
            throw new PolicyConfigException("attribute 'max-count' is required");
        }
        return new LimitConcurrency(key, max, context.compileChildren(element));
    }

    private record LimitConcurrency(Value key, int max, Policy body) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            Optional<CounterStore.Permit> permit = context.services().counters()
                    .tryAcquire("limit-concurrency|" + key.evaluateString(context), max);
            if (permit.isEmpty()) {
                throw PolicyException.clientError("ConcurrencyLimitExceeded", "Too many requests", 429);
            }
            try {
                return body.apply(context);
            } finally {
                permit.get().close();
            }
        }

        @Override
        public String toString() {
            return "limit-concurrency[key=" + key.source() + ", max-count=" + max + "]";
        }
    }
}
