package io.gatehouse.policy.spi;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One element of a policy document as a provider sees it: its name, its attributes and text already parsed into
 * {@link Value}s (named values substituted, expressions compiled), its child elements and its location.
 *
 * <p>The typed accessors ({@link #intAttribute}, {@link #booleanAttribute}, ...) read literal attributes and throw
 * {@link PolicyConfigException} with a message naming the attribute; use them to bind attributes to a typed
 * configuration record in {@link PolicyProvider#compile}.
 */
public interface PolicyElement {

    /**
     * The element name, such as {@code set-header}.
     *
     * @return the name
     */
    String name();

    /**
     * An attribute's value.
     *
     * @param name attribute name
     * @return the value, or empty if the attribute is absent
     */
    Optional<Value> attribute(String name);

    /**
     * The names of all attributes present, in document order.
     *
     * @return attribute names
     */
    Set<String> attributeNames();

    /**
     * The child elements, in document order.
     *
     * @return children; empty for a leaf element
     */
    List<PolicyElement> children();

    /**
     * The element's text content (character data directly inside the element, trimmed of surrounding whitespace
     * when it is an expression).
     *
     * @return the text, or empty if the element has no non-blank text
     */
    Optional<Value> text();

    /**
     * Where the element stands.
     *
     * @return the file, line and column
     */
    Location location();

    /**
     * The child elements with a given name.
     *
     * @param name child element name
     * @return matching children, in document order
     */
    default List<PolicyElement> children(String name) {
        return children().stream().filter(c -> c.name().equals(name)).toList();
    }

    /**
     * A required attribute.
     *
     * @param name attribute name
     * @return its value
     * @throws PolicyConfigException if the attribute is absent
     */
    default Value requiredAttribute(String name) throws PolicyConfigException {
        return attribute(name).orElseThrow(() -> new PolicyConfigException("attribute '" + name + "' is required"));
    }

    /**
     * A literal (non-expression) attribute.
     *
     * @param name attribute name
     * @return its text, or empty if absent
     * @throws PolicyConfigException if the attribute holds an expression, which this attribute does not allow
     */
    default Optional<String> literalAttribute(String name) throws PolicyConfigException {
        Optional<Value> value = attribute(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (value.get().isExpression()) {
            throw new PolicyConfigException("attribute '" + name + "' does not allow policy expressions");
        }
        return Optional.of(value.get().source());
    }

    /**
     * A literal integer attribute.
     *
     * @param name         attribute name
     * @param defaultValue value when absent
     * @param min          smallest allowed value
     * @param max          largest allowed value
     * @return the value
     * @throws PolicyConfigException if the value is not an integer in range, or is an expression
     */
    default long intAttribute(String name, long defaultValue, long min, long max) throws PolicyConfigException {
        Optional<String> text = literalAttribute(name);
        if (text.isEmpty()) {
            return defaultValue;
        }
        long parsed;
        try {
            parsed = Long.parseLong(text.get().trim());
        } catch (NumberFormatException e) {
            throw new PolicyConfigException("attribute '" + name + "' must be an integer, was '" + text.get() + "'");
        }
        if (parsed < min || parsed > max) {
            throw new PolicyConfigException("attribute '" + name + "' must be between " + min + " and " + max
                                                    + ", was " + parsed);
        }
        return parsed;
    }

    /**
     * A literal boolean attribute ({@code true} or {@code false}, case-insensitive).
     *
     * @param name         attribute name
     * @param defaultValue value when absent
     * @return the value
     * @throws PolicyConfigException if the value is not a boolean, or is an expression
     */
    default boolean booleanAttribute(String name, boolean defaultValue) throws PolicyConfigException {
        Optional<String> text = literalAttribute(name);
        if (text.isEmpty()) {
            return defaultValue;
        }
        return switch (text.get().trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new PolicyConfigException("attribute '" + name + "' must be true or false, was '"
                                                               + text.get() + "'");
        };
    }

    /**
     * Refuses attributes this element does not define, so a typo is an error rather than silently ignored.
     *
     * @param allowed the attribute names the element accepts
     * @throws PolicyConfigException naming the first unknown attribute
     */
    default void allowAttributes(Set<String> allowed) throws PolicyConfigException {
        for (String name : attributeNames()) {
            if (!allowed.contains(name)) {
                throw new PolicyConfigException("unknown attribute '" + name + "' (allowed: "
                                                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }
}
