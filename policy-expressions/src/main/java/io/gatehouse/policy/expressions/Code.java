package io.gatehouse.policy.expressions;

/** A checked, compiled piece of an expression: what a request runs. */
@FunctionalInterface
interface Code {

    /**
     * Runs the code.
     *
     * @param frame the evaluation's state
     * @return the value; null for C#'s null
     * @throws EvaluationError if the expression fails
     */
    Object run(Frame frame);
}
