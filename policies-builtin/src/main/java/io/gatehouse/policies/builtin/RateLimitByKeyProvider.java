package io.gatehouse.policies.builtin;

import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyProvider;
import io.gatehouse.policy.spi.Section;
import io.gatehouse.policy.spi.SpiVersion;

/** {@code <rate-limit-by-key calls="N" renewal-period="s" counter-key="@(...)"/>}: see {@link RateLimitProvider}. */
public final class RateLimitByKeyProvider implements PolicyProvider {

    private final RateLimitProvider delegate = new RateLimitProvider(true);

    /** Creates the provider (ServiceLoader). */
    public RateLimitByKeyProvider() {
    }

    @Override
    public int spiVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public Set<String> elementNames() {
        return delegate.elementNames();
    }

    @Override
    public Set<Section> sections() {
        return delegate.sections();
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        return delegate.compile(element, context);
    }
}
