package io.gatehouse.policies.builtin;

import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyProvider;
import io.gatehouse.policy.spi.Section;
import io.gatehouse.policy.spi.SpiVersion;

/** {@code <quota-by-key calls="N" renewal-period="s" counter-key="..."/>}: see {@link QuotaProvider}. */
public final class QuotaByKeyProvider implements PolicyProvider {

    private final QuotaProvider delegate = new QuotaProvider(true);

    /** Creates the provider (ServiceLoader). */
    public QuotaByKeyProvider() {
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
