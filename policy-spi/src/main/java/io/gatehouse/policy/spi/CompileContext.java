package io.gatehouse.policy.spi;

import java.net.URI;
import java.util.Optional;

/**
 * What the compiler tells a {@link PolicyProvider} about the element being compiled.
 */
public interface CompileContext {

    /**
     * The section the element is in; the returned policy only ever runs there.
     *
     * @return the section
     */
    Section section();

    /**
     * A stable identifier of this element's definition: its scope, section and position, for example
     * {@code api:echo/inbound/rate-limit[0]}. It stays the same across snapshots while the document keeps its
     * shape, so counters keyed by it survive configuration reloads, as APIM counts "per policy definition".
     *
     * @return the identifier
     */
    String policyId();

    /**
     * The scope the element is defined at: {@code global}, {@code product:<id>}, {@code api:<id>},
     * {@code operation:<api>/<operation>} or {@code fragment:<id>}.
     *
     * @return the scope
     */
    String scope();

    /**
     * Compiles the children of a wrapping element ({@code choose}'s {@code when}, {@code retry},
     * {@code limit-concurrency}) into one policy that runs them in order in this section, honouring
     * {@link Flow#RETURN} and exceptions like the top-level pipeline.
     *
     * @param parent the element whose children to compile
     * @return a policy running the children in order
     * @throws PolicyConfigException if a child is invalid
     */
    Policy compileChildren(PolicyElement parent) throws PolicyConfigException;

    /**
     * The URL of a backend entity from the configuration's {@code backends/} folder.
     *
     * @param backendId the backend's id
     * @return its URL, or empty if no such backend exists
     */
    Optional<URI> backendUrl(String backendId);

    /**
     * Whether the configuration's {@code backends/} folder defines a backend entity, a single backend or a pool (which
     * has no URL of its own, so {@link #backendUrl} does not know it). Policies that forward to it call
     * {@link PolicyContext#setBackend} at run time.
     *
     * @param backendId the backend's id
     * @return true if it is defined
     * @since SPI 1.2
     */
    default boolean hasBackend(String backendId) {
        return backendUrl(backendId).isPresent();
    }

    /**
     * A gateway setting under {@code policy.}, for providers that take node-level configuration.
     *
     * @param key the full dotted key, such as {@code policy.my-policy.cache-size}
     * @return the value, or empty if not set
     */
    Optional<String> setting(String key);

    /**
     * Reports a non-fatal problem; the compiler logs it with the element's location.
     *
     * @param message what the user should know
     */
    void warn(String message);
}
