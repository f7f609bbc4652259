package io.gatehouse.policy.expressions;

import io.gatehouse.policy.spi.Location;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.Value;

/**
 * Compiles attribute values and element text: {@code @(...)} (one expression) and <code>@{...}</code> (a block of
 * statements ending in {@code return}) are APIM policy expressions, anything else is a literal.
 *
 * <p>An expression is lexed, parsed, type-checked and turned into a tree of small objects once, when the
 * configuration snapshot loads; evaluating it walks that tree without reflection. Errors name the line and column
 * within the expression, counted from its {@code @}.
 */
public final class Expressions {

    private Expressions() {
    }

    /**
     * Whether a text is a policy expression.
     *
     * @param text attribute value or element text
     * @return true for {@code @(...)} and <code>@{...}</code>
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
     * @throws PolicyConfigException if the expression does not compile; the message starts with
     *                               {@code expression at line:column:}
     */
    public static Value compile(String text, Location location) throws PolicyConfigException {
        if (!isExpression(text)) {
            return new Literal(text);
        }
        String expression = text.strip();
        try {
            Binder binder = new Binder();
            Binder.Bound bound = expression.startsWith("@(")
                    ? binder.expression(Parser.parseExpressionForm(expression, 1))
                    : binder.block(Parser.parseBlockForm(expression, 1));
            return new ExpressionValue(text, expression, bound.code(), binder.slotCount());
        } catch (CompileError e) {
            throw new ExpressionConfigException("expression at " + position(expression, e.offset()) + ": "
                                                        + e.getMessage(), location);
        }
    }

    /** {@code line:column} of an offset, both 1-based. */
    static String position(String text, int offset) {
        int line = 1;
        int lineStart = 0;
        int end = Math.min(offset, text.length());
        for (int i = 0; i < end; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return line + ":" + (offset - lineStart + 1);
    }
}
