package io.gatehouse.policy.engine;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

import io.gatehouse.policy.spi.PolicyProvider;
import io.gatehouse.policy.spi.SpiVersion;

/**
 * The policy elements this gateway knows, found with {@link ServiceLoader}: the built-in catalog and any plugin jar
 * on the class path. Two providers claiming one element name, or a provider built against another major version of
 * the SPI, fail the load with both class names.
 */
public final class PolicyRegistry {

    private final Map<String, PolicyProvider> providers;

    private PolicyRegistry(Map<String, PolicyProvider> providers) {
        this.providers = Map.copyOf(providers);
    }

    /**
     * Loads every provider visible to a class loader.
     *
     * @param loader the class loader (plugins are on its path)
     * @return the registry
     * @throws IllegalStateException if two providers claim one element, or one is incompatible
     */
    public static PolicyRegistry load(ClassLoader loader) {
        Map<String, PolicyProvider> providers = new TreeMap<>();
        ServiceLoader<PolicyProvider> services = ServiceLoader.load(PolicyProvider.class, loader);
        try {
            for (PolicyProvider provider : services) {
                register(providers, provider);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("cannot load a policy provider: " + e.getMessage(), e);
        }
        return new PolicyRegistry(providers);
    }

    /**
     * A registry of the given element providers, already checked (plugins, see {@link PluginLoader}).
     *
     * @param providers element name to provider
     * @return the registry
     */
    static PolicyRegistry of(Map<String, PolicyProvider> providers) {
        return new PolicyRegistry(providers);
    }

    /**
     * A registry of the given providers only (for tests and embedding).
     *
     * @param list providers
     * @return the registry
     */
    public static PolicyRegistry of(PolicyProvider... list) {
        Map<String, PolicyProvider> providers = new TreeMap<>();
        for (PolicyProvider provider : list) {
            register(providers, provider);
        }
        return new PolicyRegistry(providers);
    }

    private static void register(Map<String, PolicyProvider> providers, PolicyProvider provider) {
        if (provider.spiVersion() != SpiVersion.MAJOR) {
            throw new IllegalStateException("policy provider " + provider.getClass().getName() + " was built for policy"
                    + " SPI " + provider.spiVersion() + ".x; this gateway implements " + SpiVersion.MAJOR + ".x");
        }
        for (String name : provider.elementNames()) {
            if (name.equals("base") || name.equals("include-fragment")) {
                throw new IllegalStateException("policy provider " + provider.getClass().getName() + " claims <" + name
                        + ">, which the engine handles itself");
            }
            PolicyProvider existing = providers.putIfAbsent(name, provider);
            if (existing != null) {
                throw new IllegalStateException("two policy providers claim <" + name + ">: "
                        + existing.getClass().getName() + " and " + provider.getClass().getName());
            }
        }
    }

    /**
     * @param elementName an element name
     * @return its provider
     */
    public Optional<PolicyProvider> provider(String elementName) {
        return Optional.ofNullable(providers.get(elementName));
    }

    /** @return every element name known, sorted */
    public Set<String> elementNames() {
        return providers.keySet();
    }
}
