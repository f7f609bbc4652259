package io.gatehouse.policies.builtin;

import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Value;

/** {@code <set-status code="404" reason="Not Found"/>}: sets the response status. */
public final class SetStatusProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public SetStatusProvider() {
        super("set-status", ALL);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("code", "reason"));
        Value code = element.requiredAttribute("code");
        if (!code.isExpression()) {
            element.intAttribute("code", 200, 100, 599);
        }
        return new SetStatus(code, element.attribute("reason").orElse(null));
    }

    private record SetStatus(Value code, Value reason) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            long c = code.evaluateLong(context);
            if (c < 100 || c > 599) {
                throw PolicyException.internal("ExpressionValueEvaluationFailure", "set-status code " + c + " is out of range");
            }
            context.response().setStatus((int) c, reason == null ? "" : reason.evaluateString(context));
            return Flow.CONTINUE;
        }

        @Override
        public String toString() {
            return "set-status[code=" + code.source() + "]";
        }
    }
}
