package io.gatehouse.policies.builtin;

import java.util.Set;

import io.gatehouse.policy.spi.Body;
import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Value;

/** {@code <find-and-replace from="a" to="b"/>}: replaces text in the request body (inbound, backend) or response body. */
public final class FindAndReplaceProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public FindAndReplaceProvider() {
        super("find-and-replace", ALL);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("from", "to"));
        Value from = element.requiredAttribute("from");
        if (!from.isExpression() && from.source().isEmpty()) {
            throw new PolicyConfigException("attribute 'from' must not be empty");
        }
        return new FindAndReplace(from, element.requiredAttribute("to"), onRequest(context.section()));
    }

    private record FindAndReplace(Value from, Value to, boolean request) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            Body body = request ? context.request().body() : context.response().body();
            if (!body.isPresent()) {
                return Flow.CONTINUE;
            }
            String f = from.evaluateString(context);
            if (f.isEmpty()) {
                return Flow.CONTINUE;
            }
            body.set(body.asString(true).replace(f, to.evaluateString(context)));
            (request ? context.request().headers() : context.response().headers()).remove("Content-Length");
            return Flow.CONTINUE;
        }

        @Override
        public String toString() {
            return "find-and-replace[from=" + from.source() + "]";
        }
    }
}
