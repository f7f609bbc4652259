package io.gatehouse.policies.builtin;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyElement;

/** {@code set-header}: name, exists-action (override, skip, append, delete) and value children. */
public final class SetHeaderProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public SetHeaderProvider() {
        super("set-header", ALL);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        return NameValuesPolicy.compile(element, context, false);
    }
}
