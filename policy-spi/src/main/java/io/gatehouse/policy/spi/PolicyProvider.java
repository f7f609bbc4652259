package io.gatehouse.policy.spi;

import java.util.Set;

/**
 * Compiles one kind of policy element into a {@link Policy}. Found with {@link java.util.ServiceLoader}: list the
 * implementation in {@code META-INF/services/io.gatehouse.policy.spi.PolicyProvider}.
 *
 * <p>A provider binds and validates the element's attributes and children once per configuration snapshot and
 * returns an immutable policy; nothing here runs per request. A provider must have a public no-argument
 * constructor, and must be safe to call from several threads (snapshots may compile concurrently).
 *
 * <p>Two providers claiming one element name make the gateway refuse to start unless an override is configured;
 * so do a plugin claiming a built-in element without the override setting, and a provider built for another
 * major {@link SpiVersion}.
 */
public interface PolicyProvider {

    /**
     * The major SPI version this provider was compiled against. Implement it as {@code return SpiVersion.MAJOR;}:
     * the constant is compiled into your class, which is how the gateway detects a plugin built for an incompatible
     * version.
     *
     * @return {@link SpiVersion#MAJOR} as seen by the compiler that built this provider
     */
    int spiVersion();

    /**
     * The element names this provider compiles, as they appear in policy XML (for example {@code set-header}).
     *
     * @return one or more element names, never empty
     */
    Set<String> elementNames();

    /**
     * The sections the elements may appear in. Placing an element elsewhere refuses the snapshot.
     *
     * @return the allowed sections, never empty
     */
    Set<Section> sections();

    /**
     * Compiles one element into a policy.
     *
     * @param element the element, with attributes and text already parsed into {@link Value}s
     * @param context what the compiler knows about where the element stands
     * @return the compiled, immutable policy
     * @throws PolicyConfigException if the element is invalid; the gateway adds the file, line and element name
     */
    Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException;
}
