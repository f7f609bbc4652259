package io.gatehouse.policies.builtin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.NameValues;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;

/**
 * {@code cors} with {@code allowed-origins}, {@code allowed-methods} ({@code preflight-result-max-age}),
 * {@code allowed-headers} and {@code expose-headers}, and the attributes {@code allow-credentials} and
 * {@code terminate-unmatched-request} (default true), as APIM: a matching preflight is answered at once with the CORS
 * headers; a matching request gets them on its response; an unmatched preflight, or an unmatched GET or HEAD, is
 * answered with an empty 200 when {@code terminate-unmatched-request} is true.
 */
public final class CorsProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public CorsProvider() {
        super("cors", INBOUND);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("allow-credentials", "terminate-unmatched-request"));
        boolean credentials = element.booleanAttribute("allow-credentials", false);
        boolean terminate = element.booleanAttribute("terminate-unmatched-request", true);
        List<String> origins = List.of();
        List<String> methods = List.of("GET", "POST");
        List<String> headers = List.of();
        List<String> expose = List.of();
        Optional<Long> maxAge = Optional.empty();
        for (PolicyElement child : element.children()) {
            switch (child.name()) {
                case "allowed-origins" -> origins = items(child, "origin");
                case "allowed-methods" -> {
                    child.allowAttributes(Set.of("preflight-result-max-age"));
                    methods = items(child, "method").stream().map(m -> m.toUpperCase(Locale.ROOT)).toList();
                    long age = child.intAttribute("preflight-result-max-age", -1, 0, Integer.MAX_VALUE);
                    maxAge = age < 0 ? Optional.empty() : Optional.of(age);
                }
                case "allowed-headers" -> headers = items(child, "header");
                case "expose-headers" -> expose = items(child, "header");
                default -> throw new PolicyConfigException("unexpected <" + child.name() + "> in <cors>; allowed:"
                        + " allowed-origins, allowed-methods, allowed-headers, expose-headers");
            }
        }
        if (origins.isEmpty()) {
            throw new PolicyConfigException("<allowed-origins> needs at least one <origin>");
        }
        if (credentials && origins.contains("*")) {
            throw new PolicyConfigException("allow-credentials=\"true\" cannot be used with the origin *");
        }
        return new Cors(credentials, terminate, origins, methods, headers, expose, maxAge);
    }

    private static List<String> items(PolicyElement parent, String name) throws PolicyConfigException {
        List<String> values = new ArrayList<>();
        for (PolicyElement child : parent.children()) {
            if (!child.name().equals(name)) {
                throw new PolicyConfigException("unexpected <" + child.name() + "> in <" + parent.name() + ">; expected <"
                        + name + ">");
            }
            String text = child.text().map(v -> v.source().trim()).orElse("");
            if (text.isEmpty()) {
                throw new PolicyConfigException("<" + name + "> must not be empty");
            }
            values.add(text);
        }
        return List.copyOf(values);
    }

    private record Cors(boolean credentials, boolean terminate, List<String> origins, List<String> methods,
                        List<String> headers, List<String> expose, Optional<Long> maxAge) implements Policy {

        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            Optional<String> origin = context.request().headers().first("Origin");
            if (origin.isEmpty()) {
                return Flow.CONTINUE;
            }
            String method = context.request().method();
            Optional<String> requested = context.request().headers().first("Access-Control-Request-Method");
            boolean preflight = method.equals("OPTIONS") && requested.isPresent();
            boolean originOk = origins.contains("*") || origins.stream().anyMatch(o -> o.equalsIgnoreCase(origin.get()));
            NameValues out = context.response().headers();
            if (preflight) {
                String wanted = requested.get().trim().toUpperCase(Locale.ROOT);
                List<String> wantedHeaders = context.request().headers().all("Access-Control-Request-Headers").stream()
                        .flatMap(v -> List.of(v.split(",")).stream()).map(String::trim).filter(h -> !h.isEmpty()).toList();
                boolean methodOk = methods.contains("*") || methods.contains(wanted);
                boolean headersOk = headers.contains("*") || wantedHeaders.stream()
                        .allMatch(h -> headers.stream().anyMatch(a -> a.equalsIgnoreCase(h)));
                if (!(originOk && methodOk && headersOk)) {
                    return terminate ? emptyOk(context) : Flow.CONTINUE;
                }
                emptyOk(context);
                allowOrigin(out, origin.get());
                out.set("Access-Control-Allow-Methods", methods.contains("*") ? wanted : String.join(",", methods));
                if (!wantedHeaders.isEmpty()) {
                    out.set("Access-Control-Allow-Headers", headers.contains("*") ? String.join(",", wantedHeaders)
                            : String.join(",", headers));
                }
                maxAge.ifPresent(a -> out.set("Access-Control-Max-Age", Long.toString(a)));
                return Flow.RETURN;
            }
            boolean methodOk = methods.contains("*") || methods.contains(method);
            if (!(originOk && methodOk)) {
                return terminate && (method.equals("GET") || method.equals("HEAD")) ? emptyOk(context) : Flow.CONTINUE;
            }
            allowOrigin(out, origin.get());
            if (!expose.isEmpty()) {
                out.set("Access-Control-Expose-Headers", String.join(",", expose));
            }
            return Flow.CONTINUE;
        }

        private void allowOrigin(NameValues out, String origin) {
            out.set("Access-Control-Allow-Origin", origins.contains("*") ? "*" : origin);
            if (credentials) {
                out.set("Access-Control-Allow-Credentials", "true");
            }
            if (!origins.contains("*")) {
                out.set("Vary", "Origin");
            }
        }

        private static Flow emptyOk(PolicyContext context) {
            Responses.startNew(context.response(), 200, "OK");
            return Flow.RETURN;
        }

        @Override
        public String toString() {
            return "cors[origins=" + origins + ", methods=" + methods + "]";
        }
    }
}
