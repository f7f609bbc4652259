package io.gatehouse.policy.expressions;

/**
 * A resolved property, method or indexer: its result type and what it does. Resolution happens when an expression
 * compiles (or, for a receiver of static type {@code object}, when it runs), by explicit switches over names.
 *
 * @param type the result type
 * @param impl the implementation
 */
record Member(Type type, Impl impl) {

    /** The implementation of a member. */
    @FunctionalInterface
    interface Impl {
        /**
         * Applies the member.
         *
         * @param target the receiver, never null (null for static members)
         * @param args   the evaluated arguments, already converted to the parameter types' representations
         * @param frame  the evaluation
         * @return the result
         */
        Object apply(Object target, Object[] args, Frame frame);
    }

    /** A property or method that only reads its receiver. */
    @FunctionalInterface
    interface Getter {
        Object get(Object target);
    }

    static Member of(Type type, Impl impl) {
        return new Member(type, impl);
    }

    static Member property(Type type, Getter getter) {
        return new Member(type, (t, a, f) -> getter.get(t));
    }

    static Member constant(Type type, Object value) {
        return new Member(type, (t, a, f) -> value);
    }
}
