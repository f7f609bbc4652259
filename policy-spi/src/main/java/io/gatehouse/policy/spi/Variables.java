package io.gatehouse.policy.spi;

import java.util.Optional;
import java.util.Set;

/**
 * The variables of one exchange ({@code context.Variables}), set by {@code set-variable} and by policies that
 * publish values (for example a rate limit's remaining calls).
 */
public interface Variables {

    /**
     * A variable's value.
     *
     * @param name the name (case-sensitive)
     * @return the value, or empty if unset or set to null
     */
    Optional<Object> get(String name);

    /**
     * Sets a variable.
     *
     * @param name  the name
     * @param value the value: a {@code String}, {@code Boolean}, {@code Integer}, {@code Long}, {@code Double}, an
     *              SPI value ({@link Jwt}, {@link Response}) or another JDK value; {@code null} sets the variable to
     *              null, as APIM's {@code send-request ignore-error} does: it is then {@linkplain #contains set},
     *              and {@link #get} is empty
     */
    void set(String name, Object value);

    /**
     * Whether a variable is set.
     *
     * @param name the name
     * @return {@code true} if set
     */
    boolean contains(String name);

    /**
     * Removes a variable.
     *
     * @param name the name
     */
    void remove(String name);

    /**
     * The names of all variables.
     *
     * @return the names
     */
    Set<String> names();
}
