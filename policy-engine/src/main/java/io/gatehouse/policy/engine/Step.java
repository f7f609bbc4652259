package io.gatehouse.policy.engine;

import io.gatehouse.policy.spi.CounterStore;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Section;

/**
 * One compiled policy in place: the policy and where it came from, so a failure can say which element of which
 * document failed ({@code context.LastError}).
 */
record Step(Policy policy, String element, String scope, Section section, String path) implements Policy {

    @Override
    public Flow apply(PolicyContext context) throws PolicyException {
        try {
            return policy.apply(context);
        } catch (PolicyException e) {
            record(context, e);
            throw e;
        } catch (MessageBody.BodyTooLargeException e) {
            PolicyException failure = PolicyException.clientError("RequestEntityTooLarge", e.getMessage(), 413);
            record(context, failure);
            throw failure;
        } catch (CounterStore.UnavailableException e) {
            // The gateway's own dependency is down, not the caller over a limit: 503, retry when the store is tried
            // again. A client error, so not logged per request: the store logs once when it becomes unreachable.
            long seconds = Math.max(1, (e.retryAfter().toMillis() + 999) / 1000);
            PolicyException failure = PolicyException.clientError("CounterStoreUnavailable",
                                                                   "Rate limit and quota counters are unavailable. Try"
                                                                           + " again in " + seconds + " seconds.", 503)
                    .withHeader("Retry-After", Long.toString(seconds));
            record(context, failure);
            throw failure;
        } catch (RuntimeException e) {
            PolicyException failure = PolicyException.internal("PolicyExecutionFailure",
                                                               "<" + element + "> at " + path + " failed: " + e, e);
            record(context, failure);
            throw failure;
        }
    }

    private void record(PolicyContext context, PolicyException e) {
        if (context instanceof Exchange exchange) {
            exchange.recordError(e, element, scope, section.elementName(), path);
        }
    }

    @Override
    public String toString() {
        return scope + " " + path + " " + policy;
    }
}
