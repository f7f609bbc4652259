package io.gatehouse.policy.engine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

import io.gatehouse.policy.spi.Body;

/**
 * A message body that stays a stream until a policy asks for its content. Bodies that no policy reads are never
 * held in memory: the gateway copies them from one socket to the other.
 */
public final class MessageBody implements Body {

    private final long maxBuffered;
    private InputStream stream;
    private long declaredLength;
    private byte[] buffered;
    private boolean consumed;

    private MessageBody(InputStream stream, long declaredLength, byte[] buffered, long maxBuffered) {
        this.stream = stream;
        this.declaredLength = declaredLength;
        this.buffered = buffered;
        this.maxBuffered = maxBuffered;
    }

    /**
     * A body that has not been read yet.
     *
     * @param stream         the body's bytes
     * @param declaredLength its Content-Length, or -1 if unknown (chunked)
     * @param maxBuffered    the largest body a policy may read into memory
     * @return the body
     */
    public static MessageBody streaming(InputStream stream, long declaredLength, long maxBuffered) {
        return new MessageBody(stream, declaredLength, null, maxBuffered);
    }

    /**
     * No body.
     *
     * @param maxBuffered the largest body a policy may set or read
     * @return an empty body
     */
    public static MessageBody empty(long maxBuffered) {
        return new MessageBody(null, 0, null, maxBuffered);
    }

    @Override
    public boolean isPresent() {
        if (consumed) {
            return false;
        }
        return buffered != null ? buffered.length > 0 : stream != null && declaredLength != 0;
    }

    @Override
    public OptionalLong length() {
        if (consumed) {
            return OptionalLong.of(0);
        }
        if (buffered != null) {
            return OptionalLong.of(buffered.length);
        }
        if (stream == null) {
            return OptionalLong.of(0);
        }
        return declaredLength >= 0 ? OptionalLong.of(declaredLength) : OptionalLong.empty();
    }

    /** @return whether the content is held in memory (read or set by a policy) */
    public boolean isBuffered() {
        return buffered != null || stream == null || consumed;
    }

    @Override
    public byte[] bytes(boolean preserveContent) {
        byte[] content = buffer();
        if (!preserveContent) {
            // As APIM: reading without preserveContent leaves nothing for the next reader.
            consumed = true;
            buffered = new byte[0];
        }
        return content;
    }

    @Override
    public String asString(boolean preserveContent) {
        return new String(bytes(preserveContent), StandardCharsets.UTF_8);
    }

    @Override
    public InputStream stream() {
        if (buffered != null || consumed || stream == null) {
            return new ByteArrayInputStream(buffered == null ? new byte[0] : buffered);
        }
        InputStream s = stream;
        consumed = true;
        stream = null;
        return s;
    }

    @Override
    public void set(byte[] content) {
        if (content.length > maxBuffered) {
            throw new IllegalArgumentException("body of " + content.length + " bytes exceeds the limit of " + maxBuffered);
        }
        discardStream();
        buffered = content.clone();
        consumed = false;
    }

    @Override
    public void set(String content) {
        set(content.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads the stream into memory if it is still a stream. */
    byte[] buffer() {
        if (consumed) {
            return new byte[0];
        }
        if (buffered == null) {
            if (stream == null) {
                return new byte[0];
            }
            try (InputStream in = stream) {
                byte[] content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBuffered + 1));
                if (content.length > maxBuffered) {
                    throw new BodyTooLargeException(maxBuffered);
                }
                buffered = content;
            } catch (IOException e) {
                throw new UncheckedIOException("reading the message body failed", e);
            } finally {
                stream = null;
            }
        }
        return buffered;
    }

    private void discardStream() {
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException ignored) {
                // the stream is being replaced; nothing more to read from it
            }
            stream = null;
        }
        declaredLength = -1;
    }

    /** A policy tried to read a body larger than the buffering limit. */
    public static final class BodyTooLargeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BodyTooLargeException(long limit) {
            super("the message body is larger than the " + limit + " bytes a policy may read into memory"
                          + " (policy.max-buffered-body-bytes)");
        }
    }
}
