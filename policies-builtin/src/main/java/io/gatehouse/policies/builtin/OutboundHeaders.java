package io.gatehouse.policies.builtin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.gatehouse.policy.spi.NameValues;

/** The headers of a request a policy builds itself ({@code send-request}): names without regard to case, in order. */
final class OutboundHeaders implements NameValues {

    /** By lower-case name: the name as first set, and its values. */
    private final Map<String, Map.Entry<String, List<String>>> entries = new LinkedHashMap<>();

    @Override
    public Optional<String> first(String name) {
        List<String> values = all(name);
        return values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    @Override
    public List<String> all(String name) {
        Map.Entry<String, List<String>> e = entries.get(key(name));
        return e == null ? List.of() : List.copyOf(e.getValue());
    }

    @Override
    public boolean contains(String name) {
        return entries.containsKey(key(name));
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        entries.values().forEach(e -> names.add(e.getKey()));
        return names;
    }

    @Override
    public void set(String name, String value) {
        set(name, List.of(value));
    }

    @Override
    public void set(String name, List<String> values) {
        if (values.isEmpty()) {
            remove(name);
            return;
        }
        Map.Entry<String, List<String>> e = entries.get(key(name));
        entries.put(key(name), Map.entry(e == null ? name : e.getKey(), new ArrayList<>(values)));
    }

    @Override
    public void add(String name, String value) {
        Map.Entry<String, List<String>> e = entries.get(key(name));
        if (e == null) {
            set(name, value);
        } else {
            e.getValue().add(value);
        }
    }

    @Override
    public void remove(String name) {
        entries.remove(key(name));
    }

    /** The headers as the SPI's request wants them. */
    Map<String, List<String>> toMap() {
        Map<String, List<String>> map = new LinkedHashMap<>();
        entries.values().forEach(e -> map.put(e.getKey(), List.copyOf(e.getValue())));
        return map;
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
