package io.gatehouse.policy.engine;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: random version-4 UUIDs, as APIM's activity ids look. They identify a request in logs and error
 * bodies and guard nothing, so they come from {@link ThreadLocalRandom} rather than {@code UUID.randomUUID()}, whose
 * {@code SecureRandom} costs a lock and a system call per request on Linux.
 */
public final class RequestIds {

    private RequestIds() {
    }

    /** @return a new request id */
    public static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
