package io.gatehouse.policies.builtin;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;

/**
 * {@code ip-filter action="allow|forbid"} with {@code address} and {@code address-range from/to} children: lets
 * through, or refuses with 403, callers by IP (v4 or v6), as APIM. Addresses are parsed at load; a host name is
 * refused, so no DNS lookup ever happens.
 */
public final class IpFilterProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public IpFilterProvider() {
        super("ip-filter", INBOUND);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("action"));
        String action = element.literalAttribute("action")
                .orElseThrow(() -> new PolicyConfigException("attribute 'action' is required: allow or forbid"))
                .trim().toLowerCase(Locale.ROOT);
        if (!action.equals("allow") && !action.equals("forbid")) {
            throw new PolicyConfigException("attribute 'action' must be allow or forbid, was '" + action + "'");
        }
        List<Range> ranges = new ArrayList<>();
        for (PolicyElement child : element.children()) {
            switch (child.name()) {
                case "address" -> {
                    BigInteger a = parse(child.text().map(v -> v.source()).orElse(""));
                    ranges.add(new Range(a, a));
                }
                case "address-range" -> {
                    BigInteger from = parse(child.literalAttribute("from").orElse(""));
                    BigInteger to = parse(child.literalAttribute("to").orElse(""));
                    if (from.compareTo(to) > 0) {
                        throw new PolicyConfigException("address-range 'from' is after 'to'");
                    }
                    ranges.add(new Range(from, to));
                }
                default -> throw new PolicyConfigException("unexpected <" + child.name() + ">; allowed: address,"
                        + " address-range");
            }
        }
        return new IpFilter(action.equals("allow"), List.copyOf(ranges));
    }

    /** An address as a number: IPv4 addresses are mapped into the IPv6 space so that both compare. */
    static BigInteger parse(String text) throws PolicyConfigException {
        String t = text.trim();
        if (t.isEmpty() || !t.matches("[0-9A-Fa-f.:]+")) {
            throw new PolicyConfigException("'" + text + "' is not an IP address");
        }
        try {
            byte[] bytes = InetAddress.getByName(t).getAddress();
            byte[] v6 = new byte[16];
            if (bytes.length == 4) {
                v6[10] = (byte) 0xff;
                v6[11] = (byte) 0xff;
                System.arraycopy(bytes, 0, v6, 12, 4);
            } else {
                System.arraycopy(bytes, 0, v6, 0, 16);
            }
            return new BigInteger(1, v6);
        } catch (UnknownHostException e) {
            throw new PolicyConfigException("'" + text + "' is not an IP address");
        }
    }

    private record Range(BigInteger from, BigInteger to) {
        boolean contains(BigInteger a) {
            return from.compareTo(a) <= 0 && a.compareTo(to) <= 0;
        }
    }

    private record IpFilter(boolean allow, List<Range> ranges) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            boolean listed;
            try {
                BigInteger caller = parse(context.request().clientIp());
                listed = ranges.stream().anyMatch(r -> r.contains(caller));
            } catch (PolicyConfigException e) {
                listed = false;
            }
            if (listed != allow) {
                throw PolicyException.clientError("CallerIpNotAllowed", "Forbidden", 403);
            }
            return Flow.CONTINUE;
        }

        @Override
        public String toString() {
            return "ip-filter[action=" + (allow ? "allow" : "forbid") + ", ranges=" + ranges.size() + "]";
        }
    }
}
