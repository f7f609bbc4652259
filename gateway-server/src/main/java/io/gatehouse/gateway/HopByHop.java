package io.gatehouse.gateway;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Headers that describe one connection, not the message, and so are never forwarded (RFC 9110 §7.6.1): a fixed set,
 * plus, for one message, the ones its {@code Connection} header names.
 */
final class HopByHop {

    /** A message whose {@code Connection} header names no further header: the usual case. */
    private static final HopByHop STANDARD = new HopByHop(Set.of());

    private final Set<String> named;

    private HopByHop(Set<String> named) {
        this.named = named;
    }

    /**
     * Whether a header is always hop-by-hop (RFC 9110 §7.6.1: connection, keep-alive, proxy-authenticate,
     * proxy-authorization, proxy-connection, te, trailer, transfer-encoding, upgrade; and host, content-length and
     * expect, which the gateway sets itself); allocates nothing (called for every header of every request).
     *
     * @param name a header name in any case
     * @return whether it is in the fixed set
     */
    static boolean isAlways(String name) {
        // One comparison at most for most names (two for lengths 7 and 10): headers are rarely hop-by-hop, and most
        // lengths match no name of the set at all.
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
     * The hop-by-hop headers of one message.
     *
     * @param connectionValues the message's Connection header values (several lines are one list, RFC 9110 §5.3)
     * @return what to drop
     */
    static HopByHop of(List<String> connectionValues) {
        Set<String> named = null;
        for (String value : connectionValues) {
            // The usual value is one token: "keep-alive" (in the fixed set) or "close" (an option, and "Close" is a
            // reserved name no message carries, RFC 9110 §18.4). No split and no lower-casing for those.
            String single = value.indexOf(',') < 0 ? value.strip() : null;
            if (single != null && (isAlways(single) || single.equalsIgnoreCase("close"))) {
                continue;
            }
            for (String token : value.split(",")) {
                String t = token.strip().toLowerCase(Locale.ROOT);
                // names already in the fixed set ("keep-alive", usually) add nothing to drop
                if (!t.isEmpty() && !isAlways(t)) {
                    if (named == null) {
                        named = new HashSet<>();
                    }
                    named.add(t);
                }
            }
        }
        return named == null ? STANDARD : new HopByHop(named);
    }

    /**
     * Whether a header of this message is hop-by-hop.
     *
     * @param name a header name in any case
     * @return whether to drop it
     */
    boolean drops(String name) {
        return isAlways(name) || !named.isEmpty() && named.contains(name.toLowerCase(Locale.ROOT));
    }
}
