package io.gatehouse.policy.spi;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A multi-valued map of names to values: HTTP headers (case-insensitive names) or query parameters
 * (case-sensitive names).
 */
public interface NameValues {

    /**
     * The first value of a name.
     *
     * @param name the name
     * @return the first value, or empty if absent
     */
    Optional<String> first(String name);

    /**
     * All values of a name, in order.
     *
     * @param name the name
     * @return the values; empty if absent
     */
    List<String> all(String name);

    /**
     * All values joined with commas, or a default, as APIM's {@code GetValueOrDefault}.
     *
     * @param name         the name
     * @param defaultValue returned when the name is absent
     * @return the joined values or the default
     */
    default String valueOrDefault(String name, String defaultValue) {
        List<String> values = all(name);
        return values.isEmpty() ? defaultValue : String.join(",", values);
    }

    /**
     * Whether a name is present.
     *
     * @param name the name
     * @return {@code true} if it has at least one value
     */
    boolean contains(String name);

    /**
     * The names present, in first-seen order, as they were first written.
     *
     * @return the names
     */
    Set<String> names();

    /**
     * Replaces all values of a name with one value.
     *
     * @param name  the name
     * @param value the value
     */
    void set(String name, String value);

    /**
     * Replaces all values of a name.
     *
     * @param name   the name
     * @param values the values; empty removes the name
     */
    void set(String name, List<String> values);

    /**
     * Appends a value.
     *
     * @param name  the name
     * @param value the value
     */
    void add(String name, String value);

    /**
     * Removes a name and its values.
     *
     * @param name the name
     */
    void remove(String name);

    /**
     * Calls {@code action} with each name and value, in order, a name once per value. The default walks
     * {@link #names()} and {@link #all(String)}; implementations may do it without copying.
     *
     * @param action receives a name (as first added) and one of its values
     * @since SPI 1.1
     */
    default void forEach(BiConsumer<String, String> action) {
        for (String name : names()) {
            for (String value : all(name)) {
                action.accept(name, value);
            }
        }
    }
}
