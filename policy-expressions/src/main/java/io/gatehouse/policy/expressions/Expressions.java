package io.gatehouse.policy.expressions;

import io.gatehouse.policy.spi.Location;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.Value;

/**
 * Compiles attribute values and element text: {@code @(...)} and {@code @{...}} are APIM policy expressions, anything
 * else is a literal.
 */
public final class Expressions {

    private Expressions() {
    }

    /**
     * Whether a text is a policy expression.
     *
     * @param text attribute value or element text
     * @return true for {@code @(...)} and {@code @{...}}
     */
    public static boolean isExpression(String text) {
        String t = text.strip();
        return t.startsWith("@(") || t.startsWith("@{");
    }

    /**
     * Compiles a value.
     *
     * @param text     attribute value or element text
     * @param location where it is, for errors
     * @return the value
     * @throws PolicyConfigException if the expression does not compile, with its position
     */
    public static Value compile(String text, Location location) throws PolicyConfigException {
        if (!isExpression(text)) {
            return new Literal(text);
        }
        throw new PolicyConfigException("policy expressions (" + abbreviate(text.strip()) + ") are not supported by this"
                + " build yet");
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 37) + "..." : s;
    }
}
