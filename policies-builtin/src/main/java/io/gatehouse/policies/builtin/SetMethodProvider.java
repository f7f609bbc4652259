package io.gatehouse.policies.builtin;

import java.util.Locale;
import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Value;

/** {@code set-method}: its text (for example POST) becomes the method the backend is called with. */
public final class SetMethodProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public SetMethodProvider() {
        super("set-method", REQUEST);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of());
        Value method = element.text().orElseThrow(() -> new PolicyConfigException("the method is required, as text"));
        if (!method.isExpression() && !method.source().trim().matches("[A-Za-z]+")) {
            throw new PolicyConfigException("'" + method.source() + "' is not an HTTP method");
        }
        return new SetMethod(method);
    }

    private record SetMethod(Value method) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            context.request().setMethod(method.evaluateString(context).trim().toUpperCase(Locale.ROOT));
            return Flow.CONTINUE;
        }

        @Override
        public String toString() {
            return "set-method[" + method.source() + "]";
        }
    }
}
