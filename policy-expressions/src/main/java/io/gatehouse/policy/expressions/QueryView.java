package io.gatehouse.policy.expressions;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The read-only query parameters of a URL other than the current request URL ({@code OriginalUrl.Query}). */
final class QueryView implements ReadOnlyNameValues {

    private final Map<String, List<String>> values;

    private QueryView(Map<String, List<String>> values) {
        this.values = values;
    }

    static QueryView parse(String rawQuery) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (!rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            }
        }
        return new QueryView(values);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    @Override
    public Optional<String> first(String name) {
        return all(name).stream().findFirst();
    }

    @Override
    public List<String> all(String name) {
        return List.copyOf(values.getOrDefault(name, List.of()));
    }

    @Override
    public boolean contains(String name) {
        return values.containsKey(name);
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(values.keySet());
    }

    @Override
    public String readOnlyMessage() {
        return "the original URL's query is read-only";
    }
}
