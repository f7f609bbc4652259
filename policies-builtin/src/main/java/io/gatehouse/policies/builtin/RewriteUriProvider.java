package io.gatehouse.policies.builtin;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.NameValues;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Value;

/**
 * {@code <rewrite-uri template="/v2/items/{id}?sort={sort}" copy-unmatched-params="true"/>}: the path (and query)
 * the backend is called with. {@code {name}} takes the URL template parameter or query parameter of that name; with
 * {@code copy-unmatched-params} (the default) query parameters the template does not use are kept, as APIM.
 */
public final class RewriteUriProvider extends BuiltinProvider {

    private static final Pattern PARAMETER = Pattern.compile("\\{([^{}]+)}");

    /** Creates the provider (ServiceLoader). */
    public RewriteUriProvider() {
        super("rewrite-uri", REQUEST);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("template", "copy-unmatched-params"));
        Value template = element.requiredAttribute("template");
        if (!template.isExpression() && !template.source().trim().startsWith("/")) {
            throw new PolicyConfigException("attribute 'template' must start with '/', was '" + template.source() + "'");
        }
        String literal = template.isExpression() ? null : template.source().trim();
        // A template without parameters (the common "/fixed/path") is the same string on every request.
        String fixed = literal != null && !PARAMETER.matcher(literal).find() ? literal : null;
        return new RewriteUri(template, element.booleanAttribute("copy-unmatched-params", true), fixed);
    }

    /** @param fixed the template when it is a literal without parameters, else null */
    private record RewriteUri(Value template, boolean copyUnmatched, String fixed) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            NameValues query = context.request().query();
            Set<String> used;
            String rewritten;
            if (fixed != null) {
                used = Set.of();
                rewritten = fixed;
            } else {
                used = new HashSet<>();
                rewritten = substitute(template.evaluateString(context).trim(), context, query, used);
            }
            int q = rewritten.indexOf('?');
            String path = q < 0 ? rewritten : rewritten.substring(0, q);
            if (q < 0 && query.names().isEmpty()) {
                context.request().setPathWithinApi(path);
                return Flow.CONTINUE;
            }
            Map<String, List<String>> kept = new LinkedHashMap<>();
            if (copyUnmatched) {
                for (String name : query.names()) {
                    if (!used.contains(name)) {
                        kept.put(name, query.all(name));
                    }
                }
            }
            for (String name : List.copyOf(query.names())) {
                query.remove(name);
            }
            if (q >= 0) {
                for (String pair : rewritten.substring(q + 1).split("&")) {
                    if (!pair.isEmpty()) {
                        int eq = pair.indexOf('=');
                        String n = eq < 0 ? pair : pair.substring(0, eq);
                        query.add(decode(n), eq < 0 ? "" : decode(pair.substring(eq + 1)));
                    }
                }
            }
            kept.forEach((name, values) -> {
                if (!query.contains(name)) {
                    query.set(name, new ArrayList<>(values));
                }
            });
            context.request().setPathWithinApi(path);
            return Flow.CONTINUE;
        }

        /** Replaces each {@code {name}} by the matched template parameter or query parameter, URL-encoded. */
        private static String substitute(String t, PolicyContext context, NameValues query, Set<String> used) {
            Matcher m = PARAMETER.matcher(t);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String name = m.group(1);
                used.add(name);
                Optional<String> value = Optional.ofNullable(context.request().matchedParameters().get(name))
                        .or(() -> query.first(name));
                m.appendReplacement(sb, Matcher.quoteReplacement(encode(value.orElse(""))));
            }
            m.appendTail(sb);
            return sb.toString();
        }

        private static String encode(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
        }

        private static String decode(String s) {
            try {
                return URLDecoder.decode(s, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return s;
            }
        }

        @Override
        public String toString() {
            return "rewrite-uri[template=" + template.source() + ", copy-unmatched-params=" + copyUnmatched + "]";
        }
    }
}
