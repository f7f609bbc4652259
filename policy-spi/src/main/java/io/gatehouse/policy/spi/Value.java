package io.gatehouse.policy.spi;

/**
 * An attribute value or element text of a policy element: either a literal or an APIM policy expression
 * ({@code @(...)} or <code>@{...}</code>) that was parsed and checked when the snapshot compiled.
 *
 * <p>Evaluating a literal returns its text. Evaluating an expression never uses reflection; a failure raises a
 * {@link PolicyException} with reason {@code ExpressionValueEvaluationFailure}, which sends the exchange to
 * {@code on-error}, as APIM.
 */
public interface Value {

    /**
     * The value as written in the document, after named values were substituted.
     *
     * @return the source text
     */
    String source();

    /**
     * Whether this is a policy expression.
     *
     * @return {@code true} for {@code @(...)} or <code>@{...}</code>, {@code false} for a literal
     */
    boolean isExpression();

    /**
     * Evaluates the value for one exchange.
     *
     * @param context the exchange
     * @return the literal text, or the expression's result (a {@code String}, {@code Boolean}, {@code Integer},
     *         {@code Long}, {@code Double}, or another JDK value); {@code null} when an expression yields null
     * @throws PolicyException with reason {@code ExpressionValueEvaluationFailure} if the expression fails
     */
    Object evaluate(PolicyContext context) throws PolicyException;

    /**
     * Evaluates the value as text, as APIM converts an expression result to an attribute value.
     *
     * @param context the exchange
     * @return the text; an empty string when an expression yields null
     * @throws PolicyException if the expression fails
     */
    String evaluateString(PolicyContext context) throws PolicyException;

    /**
     * Evaluates the value as a boolean ({@code true}/{@code false}, case-insensitive, for literals).
     *
     * @param context the exchange
     * @return the boolean
     * @throws PolicyException if the expression fails or the result is not a boolean
     */
    boolean evaluateBoolean(PolicyContext context) throws PolicyException;

    /**
     * Evaluates the value as an integer number.
     *
     * @param context the exchange
     * @return the number
     * @throws PolicyException if the expression fails or the result is not an integer
     */
    long evaluateLong(PolicyContext context) throws PolicyException;
}
