package io.gatehouse.policy.engine;

import java.util.List;

import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyException;

/** Policies run in order; the first {@link Flow#RETURN} ends the sequence and everything enclosing it. */
record Sequence(List<Policy> policies) implements Policy {

    static final Sequence EMPTY = new Sequence(List.of());

    Sequence {
        policies = List.copyOf(policies);
    }

    @Override
    public Flow apply(PolicyContext context) throws PolicyException {
        for (Policy policy : policies) {
            if (policy.apply(context) == Flow.RETURN) {
                return Flow.RETURN;
            }
        }
        return Flow.CONTINUE;
    }

    @Override
    public String toString() {
        return policies.toString();
    }
}
