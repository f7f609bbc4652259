package io.gatehouse.policy.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

import io.gatehouse.policy.spi.NameValues;

/**
 * HTTP headers as policies see them: names compared case-insensitively, the spelling of the first occurrence kept,
 * insertion order kept, several values per name.
 */
public final class MessageHeaders implements NameValues {

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** Creates an empty header set. */
    public MessageHeaders() {
    }

    @Override
    public Optional<String> first(String name) {
        Entry e = entries.get(key(name));
        return e == null ? Optional.empty() : Optional.of(e.values.getFirst());
    }

    @Override
    public List<String> all(String name) {
        Entry e = entries.get(key(name));
        return e == null ? List.of() : List.copyOf(e.values);
    }

    @Override
    public boolean contains(String name) {
        return entries.containsKey(key(name));
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        entries.values().forEach(e -> names.add(e.name));
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
        Entry e = new Entry(name);
        e.values.addAll(values);
        entries.put(key(name), e);
    }

    @Override
    public void add(String name, String value) {
        entries.computeIfAbsent(key(name), k -> new Entry(name)).values.add(value);
    }

    @Override
    public void remove(String name) {
        entries.remove(key(name));
    }

    @Override
    public void forEach(BiConsumer<String, String> action) {
        for (Entry e : entries.values()) {
            for (String value : e.values) {
                action.accept(e.name, value);
            }
        }
    }

    /**
     * Calls {@code action} with each header's name (as first added) and all its values, without copying.
     *
     * @param action receives a name and its values (not to be modified)
     */
    public void forEachHeader(BiConsumer<String, List<String>> action) {
        for (Entry e : entries.values()) {
            action.accept(e.name, e.values);
        }
    }

    /** Removes every header. */
    public void clear() {
        entries.clear();
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return names().toString();
    }

    private static final class Entry {
        private final String name;
        private final List<String> values = new ArrayList<>(1);

        private Entry(String name) {
            this.name = name;
        }
    }
}
