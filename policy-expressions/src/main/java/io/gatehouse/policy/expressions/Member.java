package io.gatehouse.policy.expressions;

/**
 * A resolved property, method or indexer: its result type and what it does. Resolution happens when an expression
 * compiles (or, for a receiver of static type {@code object}, when it runs), by explicit switches over names.
 *
 * @param type        the result type
 * @param impl        the implementation
 * @param acceptsNull whether the member runs on a null receiver instead of failing: true only for an extension
 *                    method, which C# calls with a null {@code this} ({@code ((string) null).AsJwt()} is null)
 */
record Member(Type type, Impl impl, boolean acceptsNull) {

    /** The implementation of a member. */
    @FunctionalInterface
    interface Impl {
        /**
         * Applies the member.
         *
         * @param target the receiver; null only for static members and for members that
         *               {@linkplain Member#acceptsNull() accept a null receiver}
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
        return new Member(type, impl, false);
    }

    /** An extension method: called on a null receiver too, as C# does. */
    static Member extension(Type type, Impl impl) {
        return new Member(type, impl, true);
    }

    static Member property(Type type, Getter getter) {
        return new Member(type, (t, a, f) -> getter.get(t), false);
    }

    static Member constant(Type type, Object value) {
        return new Member(type, (t, a, f) -> value, false);
    }
}
