package io.gatehouse.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The operations {@link ApiOpsReader} derived from each OpenAPI specification it read, by the specification's
 * content, so that the next read of the folder parses only the specifications that changed. Parsing is most of a
 * folder's read (about 60 % of it with 10,000 APIs), and a reload usually changes a policy or a few files.
 *
 * <p>Keyed by the format and the SHA-256 of the text ({@link KeyHash}), not by path: two APIs with the same
 * specification (revisions, or versions that differ only in their policies) share one parse. Only a specification
 * that read without a problem is kept, with the parser's warnings, which are reported again for each file that hits
 * it. After each successful read, only what that read used is kept, so a folder's cache never holds more than its own
 * specifications; a read that fails keeps what the cache held and adds what it parsed. One read at a time per cache
 * (each folder source owns one); reads may run on different threads.
 */
public final class SpecCache {

    /**
     * What a specification gave: its operations without operation policies (the reader attaches those), and the
     * parser's warnings, without the file name.
     *
     * @param operations the operations, in the specification's order
     * @param warnings   the parser's warnings
     */
    record Entry(List<Operation> operations, List<String> warnings) {
        Entry {
            operations = List.copyOf(operations);
            warnings = List.copyOf(warnings);
        }
    }

    private Map<String, Entry> kept = new HashMap<>();
    private Map<String, Entry> used = new HashMap<>();
    private long misses;

    /** A cache that starts empty. */
    public SpecCache() {
    }

    /**
     * The key of a specification.
     *
     * @param json whether it is JSON (else YAML)
     * @param text its text
     * @return the key
     */
    static String key(boolean json, String text) {
        return (json ? "json:" : "yaml:") + KeyHash.of(text);
    }

    /**
     * Looks a specification up, and marks it used by the current read.
     *
     * @param key its key
     * @return what it gave, or null if it was not read before
     */
    synchronized Entry get(String key) {
        Entry entry = used.get(key);
        if (entry == null) {
            entry = kept.get(key);
            if (entry != null) {
                used.put(key, entry);
            } else {
                misses++;
            }
        }
        return entry;
    }

    /**
     * Records what a specification gave in the current read.
     *
     * @param key   its key
     * @param entry what it gave
     */
    synchronized void put(String key, Entry entry) {
        used.put(key, entry);
    }

    /** Ends a successful read: from now on the cache holds what that read used, and nothing else. */
    synchronized void readSucceeded() {
        kept = used;
        used = new HashMap<>();
    }

    /** Ends a failed read: the cache keeps what it held before it and what it parsed anew. */
    synchronized void readFailed() {
        kept.putAll(used);
        used = new HashMap<>();
    }

    /** @return how many specifications the cache holds, for tests */
    synchronized int size() {
        return kept.size();
    }

    /** @return how many lookups found nothing, so that the specification was parsed; for tests */
    synchronized long misses() {
        return misses;
    }
}
