package io.gatehouse.policy.spi;

import java.io.InputStream;
import java.util.OptionalLong;

/**
 * A request or response body. By default a body streams through the gateway without being held in memory; reading
 * it with {@link #bytes(boolean)} or {@link #asString(boolean)} buffers it, which a policy should only do when it
 * needs the content.
 *
 * <p>As APIM's {@code Body.As<T>(preserveContent)}: reading with {@code preserveContent=false} consumes the body,
 * so it is no longer sent on; with {@code true}, the buffered content is sent on unchanged.
 */
public interface Body {

    /**
     * Whether the message has a body at all (a GET without content has none).
     *
     * @return {@code true} if there is content, or may be (a streamed body of unknown length)
     */
    boolean isPresent();

    /**
     * The length, when known (from {@code Content-Length}, or because the body is buffered).
     *
     * @return the length, or empty when streamed with unknown length
     */
    OptionalLong length();

    /**
     * Reads the whole body into memory.
     *
     * @param preserveContent whether the body is still sent on afterwards
     * @return the content; empty when there is none or it was consumed
     * @throws java.io.UncheckedIOException if reading the stream fails
     */
    byte[] bytes(boolean preserveContent);

    /**
     * Reads the whole body as text, in the charset of its {@code Content-Type} (UTF-8 by default).
     *
     * @param preserveContent whether the body is still sent on afterwards
     * @return the content; empty when there is none or it was consumed
     * @throws java.io.UncheckedIOException if reading the stream fails
     */
    String asString(boolean preserveContent);

    /**
     * Takes the body as a stream, consuming it: afterwards the body is empty unless replaced.
     *
     * @return the stream; the caller closes it
     */
    InputStream stream();

    /**
     * Replaces the body with the given bytes ({@code set-body}); {@code Content-Length} follows.
     *
     * @param content the new content
     */
    void set(byte[] content);

    /**
     * Replaces the body with text encoded as UTF-8.
     *
     * @param content the new content
     */
    void set(String content);
}
