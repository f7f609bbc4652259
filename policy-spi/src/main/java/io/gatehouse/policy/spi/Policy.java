package io.gatehouse.policy.spi;

/**
 * One compiled policy element, shared by all requests of a configuration snapshot.
 *
 * <p>An instance is created once by its {@link PolicyProvider} and then called concurrently from many virtual
 * threads, so it must hold no per-request state. The section it runs in is fixed when it is compiled
 * ({@link CompileContext#section()}), so a provider can return an instance specialised for that section: a
 * {@code set-header} compiled for {@code inbound} edits request headers, the same element compiled for
 * {@code outbound} edits response headers.
 *
 * <p>Implementations should override {@link Object#toString()} with the element name and its non-secret
 * configuration: it makes error messages and configuration dumps readable.
 */
@FunctionalInterface
public interface Policy {

    /**
     * Applies the policy to one exchange.
     *
     * @param context the exchange and its read-only context
     * @return {@link Flow#CONTINUE} to run the next policy, {@link Flow#RETURN} to answer the caller now
     * @throws PolicyException to fail: the pipeline continues in {@code on-error} with {@code context.LastError} set
     */
    Flow apply(PolicyContext context) throws PolicyException;
}
