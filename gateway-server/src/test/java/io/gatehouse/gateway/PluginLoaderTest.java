package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import com.fasterxml.jackson.core.json.PackageVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.policy.engine.PluginLoader;
import io.gatehouse.policy.engine.PolicyRegistry;

/**
 * Drop-in policy plugins: each jar (or directory of jars) in its own class loader that sees only the SPI and the JDK;
 * every way a plugin can be wrong is reported with its name and the reason. The plugins are compiled here.
 */
class PluginLoaderTest {

    @TempDir
    Path tmp;

    /** Compiles one provider class into a jar in the plugins directory (with or without its services entry). */
    private Path plugin(String jarName, String className, String body, boolean listed, Path... extraClassPath)
            throws IOException {
        Path src = tmp.resolve("src-" + jarName);
        Files.createDirectories(src.resolve("p"));
        Files.writeString(src.resolve("p/" + className + ".java"), """
                package p;
                import io.gatehouse.policy.spi.*;
                import java.util.Set;
                public class %s implements PolicyProvider {
                    %s
                    public Set<Section> sections() { return Set.of(Section.INBOUND); }
                    public Policy compile(PolicyElement e, CompileContext c) { return ctx -> Flow.CONTINUE; }
                }
                """.formatted(className, body));
        return jar(jarName, className, src, listed, extraClassPath);
    }

    /**
     * Compiles every source under {@code src} and jars the classes as a plugin; classes of the SPI's package (a stub
     * of another SPI the plugin was built against) are left out, as a plugin build leaves out its provided SPI.
     */
    private Path jar(String jarName, String className, Path src, boolean listed, Path... extraClassPath)
            throws IOException {
        Path classes = Files.createDirectories(tmp.resolve("classes-" + jarName));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringBuilder classPath = new StringBuilder(System.getProperty("java.class.path"));
        for (Path extra : extraClassPath) {
            classPath.append(File.pathSeparator).append(extra);
        }
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", classPath.toString()));
        try (Stream<Path> sources = Files.walk(src)) {
            sources.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
        }
        int rc = javac.run(null, null, null, args.toArray(String[]::new));
        assertEquals(0, rc, "compiling " + className);
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Path jar = jarName.contains("/") ? Files.createDirectories(plugins.resolve(jarName).getParent())
                .resolve(Path.of(jarName).getFileName()) : plugins.resolve(jarName);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String entryName = classes.relativize(file).toString().replace('\\', '/');
                if (entryName.startsWith("io/gatehouse/policy/spi/")) {
                    continue;
                }
                out.putNextEntry(new JarEntry(entryName));
                Files.copy(file, out);
                out.closeEntry();
            }
            if (listed) {
                out.putNextEntry(new JarEntry("META-INF/services/io.gatehouse.policy.spi.PolicyProvider"));
                OutputStream entry = out;
                entry.write(("p." + className + "\n").getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    private static String provides(String element) {
        return "public int spiVersion() { return SpiVersion.MAJOR; }\n"
                + "public Set<String> elementNames() { return Set.of(\"" + element + "\"); }";
    }

    private PolicyRegistry load(Set<String> overrides) throws PluginLoader.PluginException {
        return PluginLoader.load(getClass().getClassLoader(), tmp.resolve("plugins"), overrides);
    }

    private String problems() {
        return String.join("\n", assertThrows(PluginLoader.PluginException.class, () -> load(Set.of())).problems());
    }

    /** A good plugin's element joins the built-in ones. */
    @Test
    void loadsAPlugin() throws Exception {
        plugin("good.jar", "Good", provides("x-good"), true);
        PolicyRegistry registry = load(Set.of());
        assertTrue(registry.elementNames().contains("x-good"));
        assertTrue(registry.elementNames().contains("set-header"), "built-ins stay");
        assertEquals("plugin good.jar", registry.provider("x-good").orElseThrow().getClass().getClassLoader().getName());
    }

    /** A jar without a provider is reported by name. */
    @Test
    void jarWithoutProvider() throws Exception {
        plugin("empty.jar", "Unlisted", provides("x-unlisted"), false);
        String problems = problems();
        assertTrue(problems.contains("plugin empty.jar: no policy provider"), problems);
    }

    /** A provider that throws while loading is reported with the jar and its message. */
    @Test
    void providerThatThrows() throws Exception {
        plugin("throws.jar", "Throws", provides("x-throws")
                + "\npublic Throws() { throw new IllegalStateException(\"boom at start\"); }", true);
        String problems = problems();
        assertTrue(problems.contains("plugin throws.jar: provider p.Throws failed to load") && problems.contains("boom at start"),
                   problems);
    }

    /** A provider whose elementNames() throws is reported with the jar, the call and the exception, not thrown. */
    @Test
    void providerWhoseElementNamesThrows() throws Exception {
        plugin("nameless.jar", "Nameless", "public int spiVersion() { return SpiVersion.MAJOR; }\n"
                + "public Set<String> elementNames() { throw new IllegalStateException(\"no names today\"); }", true);
        plugin("good.jar", "Good", provides("x-good"), true);
        String problems = problems();
        assertTrue(problems.contains("plugin nameless.jar: provider p.Nameless failed: elementNames():"
                                             + " java.lang.IllegalStateException: no names today"), problems);
        assertFalse(problems.contains("good.jar"), "the other plugin is fine: " + problems);
    }

    /** A provider whose spiVersion() throws is reported the same way. */
    @Test
    void providerWhoseSpiVersionThrows() throws Exception {
        plugin("versionless.jar", "Versionless", "public int spiVersion() { throw new UnsupportedOperationException(); }\n"
                + "public Set<String> elementNames() { return Set.of(\"x-versionless\"); }", true);
        String problems = problems();
        assertTrue(problems.contains("plugin versionless.jar: provider p.Versionless failed: spiVersion():"
                                             + " java.lang.UnsupportedOperationException"), problems);
    }

    /**
     * A plugin compiled against an SPI that differs without saying so (here its PolicyProvider named the method
     * {@code elements()}): calling elementNames() fails to link (AbstractMethodError), and that is reported with the
     * jar's name like any other failure.
     */
    @Test
    void providerBuiltAgainstAnotherSpiFailsToLink() throws Exception {
        Path src = tmp.resolve("src-renamed.jar");
        Files.createDirectories(src.resolve("p"));
        Files.createDirectories(src.resolve("io/gatehouse/policy/spi"));
        Files.writeString(src.resolve("io/gatehouse/policy/spi/PolicyProvider.java"), """
                package io.gatehouse.policy.spi;
                import java.util.Set;
                public interface PolicyProvider {
                    int spiVersion();
                    Set<String> elements();
                    Set<Section> sections();
                    Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException;
                }
                """);
        Files.writeString(src.resolve("p/Renamed.java"), """
                package p;
                import io.gatehouse.policy.spi.*;
                import java.util.Set;
                public class Renamed implements PolicyProvider {
                    public int spiVersion() { return SpiVersion.MAJOR; }
                    public Set<String> elements() { return Set.of("x-renamed"); }
                    public Set<Section> sections() { return Set.of(Section.INBOUND); }
                    public Policy compile(PolicyElement e, CompileContext c) { return ctx -> Flow.CONTINUE; }
                }
                """);
        jar("renamed.jar", "Renamed", src, true);
        String problems = problems();
        assertTrue(problems.contains("plugin renamed.jar: provider p.Renamed failed: elementNames():"
                                             + " java.lang.AbstractMethodError"), problems);
    }

    /** Two plugins claiming one element are both named. */
    @Test
    void twoPluginsClaimOneElement() throws Exception {
        plugin("a.jar", "A", provides("x-same"), true);
        plugin("b.jar", "B", provides("x-same"), true);
        assertTrue(problems().contains("plugins a.jar and b.jar both claim <x-same>"), problems());
    }

    /** Replacing a built-in needs policy.plugins.override. */
    @Test
    void builtInNeedsAnOverride() throws Exception {
        plugin("mine.jar", "MySetHeader", provides("set-header"), true);
        String problems = problems();
        assertTrue(problems.contains("plugin mine.jar: p.MySetHeader claims <set-header>, a built-in policy; add set-header"
                                             + " to policy.plugins.override"), problems);
        PolicyRegistry registry = load(Set.of("set-header"));
        assertEquals("p.MySetHeader", registry.provider("set-header").orElseThrow().getClass().getName());
    }

    /** A provider built for another SPI major version is refused with both versions. */
    @Test
    void incompatibleSpiVersion() throws Exception {
        plugin("old.jar", "Old", "public int spiVersion() { return 99; }\n"
                + "public Set<String> elementNames() { return Set.of(\"x-old\"); }", true);
        assertTrue(problems().contains("plugin old.jar: p.Old was built for policy SPI 99.x; this gateway implements 1.x"),
                   problems());
    }

    /**
     * A plugin sees neither Gatehouse's dependencies nor its classes, and brings its own version of a library the
     * gateway also uses: here Jackson 2.17.2 beside the gateway's newer one.
     */
    @Test
    void pluginIsIsolatedAndBringsItsOwnLibraries() throws Exception {
        Path jackson = Path.of("target/plugin-fixtures/jackson-core-2.17.2.jar").toAbsolutePath();
        assertTrue(Files.exists(jackson), "the build copies the fixture to " + jackson);
        plugin("probe/probe.jar", "Probe", """
                public int spiVersion() { return SpiVersion.MAJOR; }
                public Set<String> elementNames() {
                    String gatewayClass;
                    try {
                        Class.forName("io.gatehouse.gateway.Gateway");
                        gatewayClass = "visible";
                    } catch (ClassNotFoundException e) {
                        gatewayClass = "hidden";
                    }
                    return Set.of("probe-jackson-" + com.fasterxml.jackson.core.json.PackageVersion.VERSION,
                                  "probe-gateway-" + gatewayClass);
                }
                """, true, jackson);
        Files.copy(jackson, tmp.resolve("plugins/probe/jackson-core-2.17.2.jar"));
        PolicyRegistry registry = load(Set.of());
        assertTrue(registry.elementNames().contains("probe-jackson-2.17.2"), registry.elementNames().toString());
        assertTrue(registry.elementNames().contains("probe-gateway-hidden"), registry.elementNames().toString());
        assertTrue(!PackageVersion.VERSION.toString().equals("2.17.2"), "the gateway itself runs another Jackson");
    }

    /** Through the command line: validate refuses a bad plugin with exit code 2 and the jar's name. */
    @Test
    void badPluginStopsValidateWithItsName() throws Exception {
        plugin("empty.jar", "Unlisted", provides("x-unlisted"), false);
        Path folder = tmp.resolve("folder");
        new TestFolder(folder).api("a", "a", "http://127.0.0.1:9", false, "GET /x");
        Path env = tmp.resolve("env.conf");
        Files.writeString(env, "policy.plugins.path=" + tmp.resolve("plugins") + "\n");
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, GatewayMain.execute("validate", "--env-file", env.toString(), folder.toString()));
        } finally {
            System.setErr(original);
        }
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("plugin empty.jar: no policy provider"), err.toString());
    }

    /**
     * {@code gatehouse run}, as its own process: a plugin whose provider throws stops start-up with exit code 2 and
     * the jar's name, before anything listens.
     */
    @Test
    void badPluginStopsRunWithItsName() throws Exception {
        plugin("nameless.jar", "Nameless", "public int spiVersion() { return SpiVersion.MAJOR; }\n"
                + "public Set<String> elementNames() { throw new IllegalStateException(\"no names today\"); }", true);
        Path folder = tmp.resolve("folder");
        new TestFolder(folder).api("a", "a", "http://127.0.0.1:9", false, "GET /x");
        Path env = tmp.resolve("env.conf");
        Files.writeString(env, "policy.plugins.path=" + tmp.resolve("plugins") + "\n");
        Path log = tmp.resolve("run.log");
        Process run = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-Xmx96m", "-cp",
                                         System.getProperty("java.class.path"), GatewayMain.class.getName(), "run",
                                         "--env-file", env.toString(), "--config", folder.toString(), "--port", "0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(run.waitFor(60, TimeUnit.SECONDS), "run should exit, not serve:\n" + Files.readString(log));
        } finally {
            if (run.isAlive()) {
                run.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        String output = Files.readString(log);
        assertEquals(2, run.exitValue(), output);
        assertTrue(output.contains("plugin nameless.jar: provider p.Nameless failed: elementNames():"
                                           + " java.lang.IllegalStateException: no names today"), output);
        assertFalse(output.contains("Gatehouse listening"), output);
    }
}
