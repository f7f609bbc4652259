package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

class HopByHopTest {

    /** RFC 9110 §7.6.1 and the framing headers the gateway sets itself. */
    private static final List<String> HOP_BY_HOP = List.of("Connection", "Keep-Alive", "Proxy-Authenticate",
                                                           "Proxy-Authorization", "Proxy-Connection", "TE", "Trailer",
                                                           "Transfer-Encoding", "Upgrade", "Host", "Content-Length",
                                                           "Expect");

    @Test
    void theFixedSetInAnyCase() {
        for (String name : HOP_BY_HOP) {
            assertTrue(HopByHop.isAlways(name), name);
            assertTrue(HopByHop.isAlways(name.toLowerCase(Locale.ROOT)), name);
            assertTrue(HopByHop.isAlways(name.toUpperCase(Locale.ROOT)), name);
        }
    }

    @Test
    void endToEndHeadersOfTheSameLengthsAreKept() {
        // a name of every length in the set, and near misses of the set's own names
        for (String name : List.of("", "t", "tx", "Hots", "Accept", "Referer", "Upgrad3", "Connectiox", "Keep_Alive",
                                   "Content-Lengtx", "Proxy-Connectio", "Transfer-Encodinh", "Proxy-Authenticat",
                                   "Proxy-Authorizatio", "Proxy-Authorizations", "Content-Type", "Authorization",
                                   "Ocp-Apim-Subscription-Key", "Cache-Control", "X-Forwarded-For")) {
            assertFalse(HopByHop.isAlways(name), name);
        }
    }

    @Test
    void connectionNamesMoreForOneMessage() {
        HopByHop drop = HopByHop.of(List.of("keep-alive, X-Trace-Hop", "close"));
        assertTrue(drop.drops("x-trace-hop"));
        assertTrue(drop.drops("Transfer-Encoding"));
        assertFalse(drop.drops("X-Other"));
        assertFalse(HopByHop.of(List.of("keep-alive")).drops("X-Trace-Hop"));
    }
}
