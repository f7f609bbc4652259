package io.gatehouse.gateway;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.gatehouse.config.Api;
import io.gatehouse.config.Operation;
import io.gatehouse.policy.spi.ApiInfo;
import io.gatehouse.policy.spi.OperationInfo;

/**
 * Matches a request to an API and operation as APIM does: the API whose URL suffix is the longest whole-segment
 * prefix of the path (suffixes may have several segments, and one API may have the empty suffix), then the operation
 * whose method and URL template match the rest of the path, literal segments preferred over {@code {parameters}}.
 * Paths are compared case-insensitively; template captures are URL-decoded.
 */
final class RouteTable {

    /** {@code {name}} or, for a trailing wildcard, {@code {*name}}. */
    private static final Pattern TEMPLATE_PARAMETER = Pattern.compile("\\{(\\*?)([^{}]+)}");

    /** APIs by the first segment of their suffix (lower case), longest suffix first: a request looks at one list. */
    private final Map<String, List<ApiRoutes>> byFirstSegment;
    /** APIs with the empty suffix, tried after the others. */
    private final List<ApiRoutes> atRoot;

    private RouteTable(List<ApiRoutes> apis) {
        Map<String, List<ApiRoutes>> index = new HashMap<>();
        List<ApiRoutes> root = new ArrayList<>();
        for (ApiRoutes api : apis) {
            if (api.segments.isEmpty()) {
                root.add(api);
            } else {
                index.computeIfAbsent(api.segments.get(0).toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(api);
            }
        }
        index.replaceAll((k, v) -> List.copyOf(v));
        this.byFirstSegment = Map.copyOf(index);
        this.atRoot = List.copyOf(root);
    }

    static RouteTable of(List<Api> apis) {
        List<ApiRoutes> routes = new ArrayList<>();
        for (Api api : apis) {
            List<OperationRoute> operations = new ArrayList<>();
            for (Operation op : api.operations()) {
                operations.add(OperationRoute.of(op));
            }
            operations.sort(Comparator.comparingInt(OperationRoute::literalSegments).reversed()
                                    .thenComparing(Comparator.comparingInt(OperationRoute::literalLength).reversed()));
            String suffix = api.path().toLowerCase(Locale.ROOT);
            routes.add(new ApiRoutes(api, suffix.isEmpty() ? List.of() : List.of(suffix.split("/")), operations));
        }
        routes.sort(Comparator.comparingInt((ApiRoutes r) -> r.segments.size()).reversed());
        return new RouteTable(List.copyOf(routes));
    }

    /**
     * Finds the API and operation for a request.
     *
     * @param method  the request method
     * @param rawPath the raw request path, starting with {@code /}
     * @return the match, if any API and operation match
     */
    Optional<Match> match(String method, String rawPath) {
        String path = rawPath.isEmpty() ? "/" : rawPath;
        int firstEnd = path.indexOf('/', 1);
        String first = decode(path.substring(1, firstEnd < 0 ? path.length() : firstEnd)).toLowerCase(Locale.ROOT);
        // The list is sorted longest suffix first, so the first API that matches is the most specific, as before the
        // index: with 10,000 APIs a linear scan cost more than the rest of the request.
        Optional<Match> found = match(byFirstSegment.getOrDefault(first, List.of()), method, path);
        return found.isPresent() ? found : match(atRoot, method, path);
    }

    private static Optional<Match> match(List<ApiRoutes> candidates, String method, String path) {
        for (ApiRoutes api : candidates) {
            String rest = api.rest(path);
            if (rest == null) {
                continue;
            }
            for (OperationRoute op : api.operations) {
                if (!op.acceptsMethod(method)) {
                    continue;
                }
                Optional<Map<String, String>> captures = op.match(rest);
                if (captures.isPresent()) {
                    return Optional.of(new Match(api.api, op.operation, rest, captures.get(), api.info, op.info));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A matched request, with the API and operation as policies see them (built once per snapshot, not per request).
     *
     * @param api           the API
     * @param operation     the operation
     * @param pathWithinApi the raw path after the API suffix ({@code ""} or starting with {@code /})
     * @param parameters    template parameters, decoded
     * @param apiInfo       the API as policies see it
     * @param operationInfo the operation as policies see it
     */
    record Match(Api api, Operation operation, String pathWithinApi, Map<String, String> parameters, ApiInfo apiInfo,
                 OperationInfo operationInfo) {
    }

    private record ApiRoutes(Api api, List<String> segments, List<OperationRoute> operations, ApiInfo info) {

        ApiRoutes(Api api, List<String> segments, List<OperationRoute> operations) {
            this(api, segments, operations, Gateway.apiInfo(api));
        }

        /**
         * The raw path after this API's suffix ("" for an exact match, else starting with "/"), or null when the path's
         * first segments are not the suffix. Segments compare case-insensitively after decoding, in place: the path is
         * walked once and not split per request.
         */
        String rest(String path) {
            if (segments.isEmpty()) {
                return path.equals("/") ? "" : path;
            }
            int end = 0;
            for (String segment : segments) {
                int start = end + 1;
                if (start > path.length()) {
                    return null; // the path has fewer segments than the suffix
                }
                end = path.indexOf('/', start);
                if (end < 0) {
                    end = path.length();
                }
                if (!segmentEquals(segment, path, start, end)) {
                    return null;
                }
            }
            return path.substring(end);
        }

        private static boolean segmentEquals(String segment, String path, int start, int end) {
            if (path.indexOf('%', start, end) >= 0) {
                return segment.equalsIgnoreCase(decode(path.substring(start, end)));
            }
            return end - start == segment.length() && path.regionMatches(true, start, segment, 0, segment.length());
        }
    }

    private record OperationRoute(Operation operation, Pattern pattern, List<String> names, int literalSegments,
                                  int literalLength, OperationInfo info, String literal) {

        private static final Optional<Map<String, String>> NO_CAPTURES = Optional.of(Map.of());

        static OperationRoute of(Operation op) {
            String template = op.urlTemplate();
            int q = template.indexOf('?');
            if (q >= 0) {
                template = template.substring(0, q);
            }
            if (!template.startsWith("/")) {
                template = "/" + template;
            }
            StringBuilder regex = new StringBuilder();
            List<String> names = new ArrayList<>();
            int literalSegments = 0;
            int literalLength = 0;
            String[] parts = template.substring(1).split("/", -1);
            for (String part : parts) {
                regex.append('/');
                boolean literal = true;
                Matcher m = TEMPLATE_PARAMETER.matcher(part);
                int last = 0;
                while (m.find()) {
                    literal = false;
                    regex.append(Pattern.quote(part.substring(last, m.start())));
                    literalLength += m.start() - last;
                    regex.append(m.group(1).isEmpty() ? "([^/]+)" : "(.*)");
                    names.add(m.group(2));
                    last = m.end();
                }
                regex.append(Pattern.quote(part.substring(last)));
                literalLength += part.length() - last;
                if (literal && !part.isEmpty()) {
                    literalSegments++;
                }
            }
            String body = regex.toString();
            // "/" matches both the API root with and without the trailing slash.
            String full = body.equals("/" + Pattern.quote("")) ? "/?" : body + "/?";
            // Literal templates ("/fixed", not "/" whose pattern also takes the empty path) skip the regex.
            String literal = names.isEmpty() && !template.equals("/") && !template.endsWith("/")
                    && template.chars().noneMatch(c -> c == '{' || c == '}' || c == '*') ? template : null;
            return new OperationRoute(op, Pattern.compile("^" + full + "$", Pattern.CASE_INSENSITIVE), names,
                                      literalSegments, literalLength, Gateway.operationInfo(op), literal);
        }

        boolean acceptsMethod(String method) {
            String m = operation.method();
            return m.equalsIgnoreCase(method) || m.equals("*") || method.equals("HEAD") && m.equalsIgnoreCase("GET");
        }

        Optional<Map<String, String>> match(String rest) {
            if (literal != null) {
                // A template without parameters matches by comparison, as its pattern would: case-insensitively,
                // with or without a trailing slash; no matcher, no map.
                int n = literal.length();
                boolean same = rest.length() == n ? rest.equalsIgnoreCase(literal)
                        : rest.length() == n + 1 && rest.charAt(n) == '/' && rest.regionMatches(true, 0, literal, 0, n);
                return same ? NO_CAPTURES : Optional.empty();
            }
            Matcher m = pattern.matcher(rest);
            if (!m.matches()) {
                return Optional.empty();
            }
            Map<String, String> captures = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                captures.put(names.get(i), decode(m.group(i + 1)));
            }
            return Optional.of(captures);
        }
    }

    private static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }
}
