package io.gatehouse.gateway;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Headers that describe one connection, not the message, and so are never forwarded (RFC 9110 §7.6.1). */
final class HopByHop {

    private static final Set<String> ALWAYS = Set.of("connection", "keep-alive", "proxy-authenticate",
                                                     "proxy-authorization", "proxy-connection", "te", "trailer",
                                                     "transfer-encoding", "upgrade", "host", "content-length", "expect");

    private HopByHop() {
    }

    /**
     * The headers to drop from one message: the fixed set plus any the {@code Connection} header names.
     *
     * @param connectionValues the message's Connection header values
     * @return lower-case names
     */
    static Set<String> of(List<String> connectionValues) {
        if (connectionValues.isEmpty()) {
            return ALWAYS;
        }
        Set<String> names = new HashSet<>(ALWAYS);
        for (String value : connectionValues) {
            for (String token : value.split(",")) {
                String t = token.strip().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    names.add(t);
                }
            }
        }
        return names;
    }
}
