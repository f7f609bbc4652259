package io.gatehouse.gateway;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Headers that describe one connection, not the message, and so are never forwarded (RFC 9110 §7.6.1). */
final class HopByHop {

    static final Set<String> ALWAYS = Set.of("connection", "keep-alive", "proxy-authenticate",
                                                     "proxy-authorization", "proxy-connection", "te", "trailer",
                                                     "transfer-encoding", "upgrade", "host", "content-length", "expect");

    private HopByHop() {
    }

    /** The usual Connection values name no extra header, so they need no set of their own. */
    private static boolean isPlain(String value) {
        return value.equalsIgnoreCase("keep-alive") || value.equalsIgnoreCase("close");
    }

    /**
     * Whether a header is always hop-by-hop, without allocating (called for every header of every request).
     *
     * @param name a header name in any case
     * @return whether it is in the fixed set
     */
    static boolean isAlways(String name) {
        return switch (name.length()) {
            case 2 -> name.equalsIgnoreCase("te");
            case 4 -> name.equalsIgnoreCase("host");
            case 6 -> name.equalsIgnoreCase("expect");
            case 7 -> name.equalsIgnoreCase("trailer") || name.equalsIgnoreCase("upgrade");
            case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
            case 14 -> name.equalsIgnoreCase("content-length");
            case 16 -> name.equalsIgnoreCase("proxy-connection");
            case 17 -> name.equalsIgnoreCase("transfer-encoding");
            case 18 -> name.equalsIgnoreCase("proxy-authenticate");
            case 19 -> name.equalsIgnoreCase("proxy-authorization");
            default -> false;
        };
    }

    /**
     * The headers to drop from one message: the fixed set plus any the {@code Connection} header names.
     *
     * @param connectionValues the message's Connection header values
     * @return lower-case names
     */
    static Set<String> of(List<String> connectionValues) {
        if (connectionValues.isEmpty() || (connectionValues.size() == 1 && isPlain(connectionValues.get(0)))) {
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
