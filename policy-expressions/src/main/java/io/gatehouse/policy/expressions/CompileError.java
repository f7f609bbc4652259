package io.gatehouse.policy.expressions;

/**
 * An expression does not compile. Carries the offset in the expression text; {@link Expressions} turns it into a
 * {@link io.gatehouse.policy.spi.PolicyConfigException} with line and column.
 */
final class CompileError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int offset;

    CompileError(String message, int offset) {
        super(message, null, false, false);
        this.offset = offset;
    }

    int offset() {
        return offset;
    }
}
