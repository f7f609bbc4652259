package io.gatehouse.policy.engine;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.gatehouse.policy.spi.NameValues;

/**
 * Query parameters that remember their raw form: parameters nobody touched are forwarded byte for byte, as they
 * came; only parameters a policy sets are encoded by us. Names are case-sensitive, as in APIM.
 */
public final class QueryValues implements NameValues {

    private final List<Parameter> parameters = new ArrayList<>();

    /**
     * Parses a raw query string (without the leading {@code ?}).
     *
     * @param rawQuery the raw query, possibly empty
     */
    public QueryValues(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return;
        }
        for (String segment : rawQuery.split("&", -1)) {
            if (segment.isEmpty()) {
                continue;
            }
            int eq = segment.indexOf('=');
            String name = decode(eq < 0 ? segment : segment.substring(0, eq));
            String value = eq < 0 ? "" : decode(segment.substring(eq + 1));
            parameters.add(new Parameter(name, value, segment));
        }
    }

    /**
     * The query string to forward: untouched parameters in their raw form, new ones encoded.
     *
     * @return the raw query, without {@code ?}; empty if there are no parameters
     */
    public String rawQuery() {
        StringBuilder sb = new StringBuilder();
        for (Parameter p : parameters) {
            if (!sb.isEmpty()) {
                sb.append('&');
            }
            sb.append(p.raw != null ? p.raw : encode(p.name) + "=" + encode(p.value));
        }
        return sb.toString();
    }

    @Override
    public Optional<String> first(String name) {
        return parameters.stream().filter(p -> p.name.equals(name)).map(p -> p.value).findFirst();
    }

    @Override
    public List<String> all(String name) {
        return parameters.stream().filter(p -> p.name.equals(name)).map(p -> p.value).toList();
    }

    @Override
    public boolean contains(String name) {
        for (Parameter p : parameters) {
            if (p.name.equals(name)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        parameters.forEach(p -> names.add(p.name));
        return names;
    }

    @Override
    public void set(String name, String value) {
        set(name, List.of(value));
    }

    @Override
    public void set(String name, List<String> values) {
        int at = indexOf(name);
        remove(name);
        List<Parameter> added = values.stream().map(v -> new Parameter(name, v, null)).toList();
        parameters.addAll(at < 0 ? parameters.size() : at, added);
    }

    @Override
    public void add(String name, String value) {
        parameters.add(new Parameter(name, value, null));
    }

    @Override
    public void remove(String name) {
        parameters.removeIf(p -> p.name.equals(name));
    }

    private int indexOf(String name) {
        for (int i = 0; i < parameters.size(); i++) {
            if (parameters.get(i).name.equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // malformed escapes are kept as they are, as a proxy should
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return rawQuery();
    }

    private record Parameter(String name, String value, String raw) {
    }
}
