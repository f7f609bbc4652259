package io.gatehouse.policy.engine;

import java.util.ArrayList;
import java.util.HashMap;
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

    /**
     * Headers are few, so a list searched with {@code equalsIgnoreCase} beats a map keyed by lower-cased names: no
     * lower-cased copy, no map entry per header, on every request. Past this many names a map indexes the list, so
     * a message with very many headers costs no quadratic time.
     */
    private static final int INDEX_FROM = 24;

    private final ArrayList<Entry> entries = new ArrayList<>(8);
    private Map<String, Entry> index;

    /** Creates an empty header set. */
    public MessageHeaders() {
    }

    @Override
    public Optional<String> first(String name) {
        Entry e = find(name);
        return e == null ? Optional.empty() : Optional.of(e.values.getFirst());
    }

    @Override
    public List<String> all(String name) {
        Entry e = find(name);
        return e == null ? List.of() : List.copyOf(e.values);
    }

    @Override
    public boolean contains(String name) {
        return find(name) != null;
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (Entry e : entries) {
            names.add(e.name);
        }
        return names;
    }

    @Override
    public void set(String name, String value) {
        Entry e = new Entry(name);
        e.values.add(value);
        put(e);
    }

    @Override
    public void set(String name, List<String> values) {
        if (values.isEmpty()) {
            remove(name);
            return;
        }
        Entry e = new Entry(name);
        e.values.addAll(values);
        put(e);
    }

    @Override
    public void add(String name, String value) {
        Entry e = find(name);
        if (e == null) {
            e = new Entry(name);
            append(e);
        }
        e.values.add(value);
    }

    @Override
    public void remove(String name) {
        int i = indexOf(name);
        if (i >= 0) {
            entries.remove(i);
            if (index != null) {
                index.remove(key(name));
            }
        }
    }

    @Override
    public void forEach(BiConsumer<String, String> action) {
        for (Entry e : entries) {
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
        for (Entry e : entries) {
            action.accept(e.name, e.values);
        }
    }

    /** Removes every header. */
    public void clear() {
        entries.clear();
        index = null;
    }

    /** Replaces the entry of the same name where it stands, or appends it. */
    private void put(Entry e) {
        int i = indexOf(e.name);
        if (i >= 0) {
            entries.set(i, e);
            if (index != null) {
                index.put(key(e.name), e);
            }
        } else {
            append(e);
        }
    }

    private void append(Entry e) {
        entries.add(e);
        if (index != null) {
            index.put(key(e.name), e);
        } else if (entries.size() > INDEX_FROM) {
            index = new HashMap<>();
            for (Entry each : entries) {
                index.put(key(each.name), each);
            }
        }
    }

    private Entry find(String name) {
        if (index != null) {
            return index.get(key(name));
        }
        for (int i = 0, n = entries.size(); i < n; i++) {
            Entry e = entries.get(i);
            if (e.name.equalsIgnoreCase(name)) {
                return e;
            }
        }
        return null;
    }

    private int indexOf(String name) {
        if (index != null && !index.containsKey(key(name))) {
            return -1;
        }
        for (int i = 0, n = entries.size(); i < n; i++) {
            if (entries.get(i).name.equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
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
