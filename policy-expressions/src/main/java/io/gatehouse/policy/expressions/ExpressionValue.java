package io.gatehouse.policy.expressions;

import java.util.Locale;

import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Value;

/** A compiled {@code @(...)} or <code>@{...}</code> expression. Immutable; each evaluation has its own frame. */
final class ExpressionValue implements Value {

    static final String FAILURE = "ExpressionValueEvaluationFailure";

    private final String source;
    private final String expression;
    private final Code code;
    private final int slots;

    /**
     * @param source     the text as written
     * @param expression the trimmed expression text, which positions refer to
     * @param code       the compiled code
     * @param slots      how many local slots an evaluation needs
     */
    ExpressionValue(String source, String expression, Code code, int slots) {
        this.source = source;
        this.expression = expression;
        this.code = code;
        this.slots = slots;
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public boolean isExpression() {
        return true;
    }

    @Override
    public Object evaluate(PolicyContext context) throws PolicyException {
        try {
            return code.run(new Frame(context, slots));
        } catch (EvaluationError e) {
            String at = e.offset() >= 0 ? " at " + Expressions.position(expression, e.offset()) : "";
            throw PolicyException.internal(FAILURE, "expression " + abbreviated() + " failed" + at + ": " + e.getMessage(),
                                           e);
        } catch (RuntimeException e) {
            throw PolicyException.internal(FAILURE, "expression " + abbreviated() + " failed: " + e, e);
        }
    }

    private String abbreviated() {
        return expression.length() > 500 ? expression.substring(0, 497) + "..." : expression;
    }

    @Override
    public String evaluateString(PolicyContext context) throws PolicyException {
        return CSharp.toText(evaluate(context));
    }

    @Override
    public boolean evaluateBoolean(PolicyContext context) throws PolicyException {
        Object v = evaluate(context);
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "true" -> {
                    return true;
                }
                case "false" -> {
                    return false;
                }
                default -> {
                    // reported below
                }
            }
        }
        throw PolicyException.internal(FAILURE, "expression " + abbreviated() + " must yield a boolean, but yielded "
                + describe(v));
    }

    @Override
    public long evaluateLong(PolicyContext context) throws PolicyException {
        Object v = evaluate(context);
        switch (v) {
            case Integer i -> {
                return i;
            }
            case Long l -> {
                return l;
            }
            case Double d when d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.2e18 -> {
                return d.longValue();
            }
            case String s -> {
                try {
                    return Long.parseLong(s.strip());
                } catch (NumberFormatException e) {
                    throw PolicyException.internal(FAILURE, "expression " + abbreviated() + " must yield an integer, but"
                            + " yielded " + describe(v), e);
                }
            }
            case null, default -> throw PolicyException.internal(FAILURE, "expression " + abbreviated()
                    + " must yield an integer, but yielded " + describe(v));
        }
    }

    private static String describe(Object v) {
        return v == null ? "null" : Type.runtimeName(v) + " '" + CSharp.toText(v) + "'";
    }

    @Override
    public String toString() {
        return source;
    }
}
