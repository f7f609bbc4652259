package io.gatehouse.policies.builtin;

import java.util.Set;

import io.gatehouse.policy.spi.PolicyProvider;
import io.gatehouse.policy.spi.Section;
import io.gatehouse.policy.spi.SpiVersion;

/** What every built-in provider has in common: one element name, a set of sections, this SPI version. */
abstract class BuiltinProvider implements PolicyProvider {

    static final Set<Section> ALL = Set.of(Section.INBOUND, Section.BACKEND, Section.OUTBOUND, Section.ON_ERROR);
    static final Set<Section> INBOUND = Set.of(Section.INBOUND);
    static final Set<Section> REQUEST = Set.of(Section.INBOUND, Section.BACKEND);

    private final String elementName;
    private final Set<Section> sections;

    BuiltinProvider(String elementName, Set<Section> sections) {
        this.elementName = elementName;
        this.sections = sections;
    }

    @Override
    public final int spiVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public final Set<String> elementNames() {
        return Set.of(elementName);
    }

    @Override
    public final Set<Section> sections() {
        return sections;
    }

    /** Whether a policy in this section works on the request (inbound, backend) or the response. */
    static boolean onRequest(Section section) {
        return section == Section.INBOUND || section == Section.BACKEND;
    }
}
