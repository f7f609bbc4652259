package io.gatehouse.policy.engine;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.gatehouse.policy.spi.PolicyProvider;
import io.gatehouse.policy.spi.SpiVersion;

/**
 * Loads policy plugins from a directory: each {@code *.jar} there, or each subdirectory (a plugin with the jars it
 * depends on), gets a class loader of its own whose parent shows only the policy SPI and the JDK. A plugin therefore
 * cannot see or clash with Gatehouse's own dependencies, and may bring other versions of them.
 *
 * <p>Every problem is collected and reported with the plugin's name and the reason: no provider, a provider that
 * fails to load or throws (or fails to link) when asked what it provides, one built for another SPI major version,
 * two plugins claiming one element, a plugin claiming a built-in element that {@code policy.plugins.override} does
 * not name.
 */
public final class PluginLoader {

    private static final System.Logger LOGGER = System.getLogger(PluginLoader.class.getName());
    private static final String SPI_PACKAGE = "io.gatehouse.policy.spi.";

    private PluginLoader() {
    }

    /** Plugins that cannot be loaded, each problem naming its plugin. */
    public static final class PluginException extends Exception {

        private static final long serialVersionUID = 1L;

        private final List<String> problems;

        PluginException(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = List.copyOf(problems);
        }

        /** @return one line per problem */
        public List<String> problems() {
            return problems;
        }
    }

    /**
     * The built-in providers (those on the gateway's class path) plus the plugins in a directory.
     *
     * @param gateway   the gateway's class loader
     * @param directory the plugins directory, if any
     * @param overrides built-in element names a plugin may replace ({@code policy.plugins.override})
     * @return the registry
     * @throws PluginException listing every plugin problem
     */
    public static PolicyRegistry load(ClassLoader gateway, Path directory, Set<String> overrides) throws PluginException {
        PolicyRegistry builtIn = PolicyRegistry.load(gateway);
        if (!Files.isDirectory(directory)) {
            return builtIn;
        }
        List<String> problems = new ArrayList<>();
        Map<String, PolicyProvider> providers = new TreeMap<>();
        builtIn.elementNames().forEach(name -> providers.put(name, builtIn.provider(name).orElseThrow()));
        Map<String, String> claimedBy = new LinkedHashMap<>();
        ClassLoader spiOnly = new SpiOnlyClassLoader(gateway);
        List<Path> units;
        try (Stream<Path> entries = Files.list(directory)) {
            units = entries.filter(p -> Files.isDirectory(p) || p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new PluginException(List.of("policy plugins directory " + directory + " cannot be read: " + e));
        }
        for (Path unit : units) {
            String name = unit.getFileName().toString();
            List<PolicyProvider> found = new ArrayList<>();
            try {
                URLClassLoader loader = new URLClassLoader("plugin " + name, urls(unit), spiOnly);
                for (ServiceLoader.Provider<PolicyProvider> provider
                        : ServiceLoader.load(PolicyProvider.class, loader).stream().toList()) {
                    try {
                        found.add(provider.get());
                    } catch (ServiceConfigurationError | LinkageError e) {
                        problems.add("plugin " + name + ": provider " + provider.type().getName() + " failed to load: "
                                + rootMessage(e));
                    }
                }
            } catch (ServiceConfigurationError | LinkageError | IOException e) {
                problems.add("plugin " + name + ": cannot be loaded: " + rootMessage(e));
                continue;
            }
            if (found.isEmpty() && problems.stream().noneMatch(p -> p.startsWith("plugin " + name + ":"))) {
                problems.add("plugin " + name + ": no policy provider in it (META-INF/services/"
                        + PolicyProvider.class.getName() + " lists none)");
            }
            List<String> loaded = new ArrayList<>();
            for (PolicyProvider provider : found) {
                String type = provider.getClass().getName();
                // Plugin code: it may throw, or (built against another SPI) fail to link. Either is reported with the
                // jar's name. sections() is asked again at each use; asking it here names a failing one at start.
                String call = "spiVersion()";
                int version;
                Set<String> elements = Set.of();
                try {
                    version = provider.spiVersion();
                    if (version == SpiVersion.MAJOR) {
                        call = "elementNames()";
                        elements = Set.copyOf(provider.elementNames());
                        call = "sections()";
                        Set.copyOf(provider.sections());
                    }
                } catch (RuntimeException | LinkageError e) {
                    problems.add("plugin " + name + ": provider " + type + " failed: " + call + ": " + describe(e));
                    continue;
                }
                if (version != SpiVersion.MAJOR) {
                    problems.add("plugin " + name + ": " + type + " was built for policy SPI " + version
                            + ".x; this gateway implements " + SpiVersion.MAJOR + ".x");
                    continue;
                }
                for (String element : elements) {
                    if (element.equals("base") || element.equals("include-fragment")) {
                        problems.add("plugin " + name + ": " + type + " claims <" + element + ">, which the engine"
                                + " handles itself");
                    } else if (claimedBy.containsKey(element)) {
                        problems.add("plugins " + claimedBy.get(element) + " and " + name + " both claim <" + element
                                + ">");
                    } else if (builtIn.provider(element).isPresent() && !overrides.contains(element)) {
                        problems.add("plugin " + name + ": " + type + " claims <" + element + ">, a built-in policy;"
                                + " add " + element + " to policy.plugins.override to replace it");
                    } else {
                        claimedBy.put(element, name);
                        providers.put(element, provider);
                        loaded.add(element);
                    }
                }
            }
            if (!loaded.isEmpty()) {
                LOGGER.log(System.Logger.Level.INFO, "policy plugin " + name + ": " + loaded.stream().sorted().toList());
            }
        }
        if (!problems.isEmpty()) {
            throw new PluginException(problems);
        }
        return PolicyRegistry.of(providers);
    }

    private static URL[] urls(Path unit) throws IOException {
        if (!Files.isDirectory(unit)) {
            return new URL[] {url(unit)};
        }
        try (Stream<Path> jars = Files.list(unit)) {
            List<URL> urls = new ArrayList<>();
            for (Path jar : jars.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                urls.add(url(jar));
            }
            return urls.toArray(URL[]::new);
        }
    }

    private static URL url(Path jar) throws MalformedURLException {
        return jar.toUri().toURL();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t + ")";
    }

    /** The throwable itself (type and message), and its root cause if it has one. */
    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e + " (caused by " + root + ")";
    }

    /** The parent of every plugin's loader: the JDK, plus the policy SPI from the gateway, nothing else. */
    private static final class SpiOnlyClassLoader extends ClassLoader {
        private final ClassLoader gateway;

        SpiOnlyClassLoader(ClassLoader gateway) {
            super("gatehouse-policy-spi", ClassLoader.getPlatformClassLoader());
            this.gateway = gateway;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith(SPI_PACKAGE)) {
                return gateway.loadClass(name);
            }
            return super.loadClass(name, resolve);
        }
    }
}
