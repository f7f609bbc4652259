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

/** {@code <set-variable name="x" value="literal or @(expression)"/>}: stores a value in {@code context.Variables}. */
public final class SetVariableProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public SetVariableProvider() {
        super("set-variable", ALL);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("name", "value"));
        String name = element.literalAttribute("name")
                .orElseThrow(() -> new PolicyConfigException("attribute 'name' is required"));
        return new SetVariable(name, element.requiredAttribute("value"));
    }

    private record SetVariable(String name, Value value) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            Object v = value.evaluate(context);
            if (v == null) {
                context.variables().remove(name);
            } else {
                context.variables().set(name, v);
            }
            return Flow.CONTINUE;
        }

        @Override
        public String toString() {
            return "set-variable[name=" + name + "]";
        }
    }
}
