package io.gatehouse.policy.expressions;

import java.util.Locale;

import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Value;

/** A value without an expression: the text itself. */
record Literal(String source) implements Value {

    @Override
    public boolean isExpression() {
        return false;
    }

    @Override
    public Object evaluate(PolicyContext context) {
        return source;
    }

    @Override
    public String evaluateString(PolicyContext context) {
        return source;
    }

    @Override
    public boolean evaluateBoolean(PolicyContext context) throws PolicyException {
        return switch (source.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw PolicyException.internal("ExpressionValueEvaluationFailure",
                                                      "'" + source + "' is not a boolean");
        };
    }

    @Override
    public long evaluateLong(PolicyContext context) throws PolicyException {
        try {
            return Long.parseLong(source.trim());
        } catch (NumberFormatException e) {
            throw PolicyException.internal("ExpressionValueEvaluationFailure", "'" + source + "' is not an integer");
        }
    }
}
