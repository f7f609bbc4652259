package io.gatehouse.policy.expressions;

import java.util.List;

/**
 * A call being resolved: the method's owner and name, its type arguments and the static types of its arguments.
 * Member tables use it to check arity and argument types and to word their errors.
 */
final class CallSite {

    /**
     * One argument as the checker sees it.
     *
     * @param name the parameter name of a named argument, or null
     * @param type the argument's static type
     * @param pos  its offset
     */
    record Arg(String name, Type type, int pos) {
    }

    private final String owner;
    private final String name;
    private final List<Type> typeArguments;
    private final List<Arg> args;
    private final int pos;

    CallSite(String owner, String name, List<Type> typeArguments, List<Arg> args, int pos) {
        this.owner = owner;
        this.name = name;
        this.typeArguments = typeArguments;
        this.args = args;
        this.pos = pos;
    }

    String name() {
        return name;
    }

    int pos() {
        return pos;
    }

    int size() {
        return args.size();
    }

    Type type(int i) {
        return args.get(i).type();
    }

    List<Type> typeArguments() {
        return typeArguments;
    }

    String display() {
        return owner + "." + name;
    }

    CompileError error(String message) {
        return new CompileError(message, pos);
    }

    /** Checks the argument count; also rejects type arguments and named arguments, which few methods take. */
    CallSite arity(int min, int max) {
        if (!typeArguments.isEmpty()) {
            throw error("'" + display() + "' is not generic");
        }
        return arityOnly(min, max);
    }

    CallSite arityOnly(int min, int max) {
        if (args.size() < min || args.size() > max) {
            String expected = min == max ? String.valueOf(min)
                    : max == Integer.MAX_VALUE ? min + " or more" : min + " to " + max;
            throw error("'" + display() + "' takes " + expected + " argument" + (expected.equals("1") ? "" : "s")
                                + ", not " + args.size());
        }
        for (Arg a : args) {
            if (a.name() != null) {
                throw new CompileError("'" + display() + "' has no parameter named '" + a.name() + "'", a.pos());
            }
        }
        return this;
    }

    /** Checks that argument {@code i} converts implicitly to one of the accepted types. */
    CallSite argument(int i, Type... accepted) {
        Type actual = args.get(i).type();
        for (Type t : accepted) {
            if (Type.assignable(actual, t)) {
                return this;
            }
        }
        StringBuilder names = new StringBuilder();
        for (int k = 0; k < accepted.length; k++) {
            names.append(k == 0 ? "" : k == accepted.length - 1 ? " or " : ", ").append(accepted[k]);
        }
        String hint = actual == Type.OBJECT ? "; cast it, for example (string)" : "";
        throw new CompileError("argument " + (i + 1) + " of '" + display() + "' must be " + names + ", not " + actual
                                       + hint, args.get(i).pos());
    }

    /** Checks arguments {@code from} onward. */
    CallSite arguments(int from, Type... accepted) {
        for (int i = from; i < args.size(); i++) {
            argument(i, accepted);
        }
        return this;
    }

    Arg arg(int i) {
        return args.get(i);
    }
}
