package io.gatehouse.policy.expressions;

/**
 * An expression failed while it ran: a null dereference, a bad cast, a parse failure, a division by zero. The
 * offset is where in the expression text it happened, or -1 until the enclosing node fills it in.
 */
final class EvaluationError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private int offset;

    EvaluationError(String message) {
        this(message, -1, null);
    }

    EvaluationError(String message, int offset, Throwable cause) {
        super(message, cause);
        this.offset = offset;
    }

    /** Fills in the position if no inner node did. */
    EvaluationError at(int position) {
        if (offset < 0) {
            offset = position;
        }
        return this;
    }

    int offset() {
        return offset;
    }
}
