package io.gatehouse.policies.builtin;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;

/**
 * {@code check-header}: the request must carry header {@code name}, and, when {@code value} children are given, one
 * of those values ({@code ignore-case}); otherwise the caller gets {@code failed-check-httpcode} with
 * {@code failed-check-error-message} in APIM's error body.
 */
public final class CheckHeaderProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public CheckHeaderProvider() {
        super("check-header", INBOUND);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("name", "failed-check-httpcode", "failed-check-error-message", "ignore-case"));
        String name = element.literalAttribute("name")
                .orElseThrow(() -> new PolicyConfigException("attribute 'name' is required"));
        int code = (int) element.intAttribute("failed-check-httpcode", 401, 100, 599);
        String message = element.literalAttribute("failed-check-error-message").orElse("Header " + name + " was not found"
                + " or had an unexpected value");
        boolean ignoreCase = element.booleanAttribute("ignore-case", false);
        List<String> values = new ArrayList<>();
        for (PolicyElement v : element.children()) {
            if (!v.name().equals("value")) {
                throw new PolicyConfigException("unexpected <" + v.name() + ">; only <value> elements are allowed");
            }
            values.add(v.text().map(t -> t.source()).orElse(""));
        }
        return new CheckHeader(name, code, message, ignoreCase, List.copyOf(values));
    }

    private record CheckHeader(String name, int code, String message, boolean ignoreCase, List<String> values)
            implements Policy {

        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            List<String> present = context.request().headers().all(name);
            boolean ok = !present.isEmpty() && (values.isEmpty() || present.stream().anyMatch(p -> values.stream()
                    .anyMatch(v -> ignoreCase ? v.equalsIgnoreCase(p) : v.equals(p))));
            if (!ok) {
                throw PolicyException.clientError("HeaderCheckFailed", message, code);
            }
            return Flow.CONTINUE;
        }

        @Override
        public String toString() {
            return "check-header[name=" + name + ", values=" + values.size() + "]";
        }
    }
}
