package io.gatehouse.policies.builtin;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyElement;

/** {@code set-query-parameter}: name, exists-action (override, skip, append, delete) and value children. */
public final class SetQueryParameterProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public SetQueryParameterProvider() {
        super("set-query-parameter", REQUEST);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        return NameValuesPolicy.compile(element, context, true);
    }
}
