package io.gatehouse.policies.builtin;

import java.util.Set;

import io.gatehouse.policy.spi.PolicyProvider;
import io.gatehouse.policy.spi.Section;
import io.gatehouse.policy.spi.SpiVersion;

/** What every built-in provider has in common: its element names, a set of sections, this SPI version. */
abstract class BuiltinProvider implements PolicyProvider {

    static final Set<Section> ALL = Set.of(Section.INBOUND, Section.BACKEND, Section.OUTBOUND, Section.ON_ERROR);
    static final Set<Section> INBOUND = Set.of(Section.INBOUND);
    static final Set<Section> REQUEST = Set.of(Section.INBOUND, Section.BACKEND);

    private final Set<String> elementNames;
    private final Set<Section> sections;

    BuiltinProvider(String elementName, Set<Section> sections) {
        this(Set.of(elementName), sections);
    }

    BuiltinProvider(Set<String> elementNames, Set<Section> sections) {
        this.elementNames = elementNames;
        this.sections = sections;
    }

    @Override
    public final int spiVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public final Set<String> elementNames() {
        return elementNames;
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
