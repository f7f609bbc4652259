package io.gatehouse.policy.expressions;

import java.util.List;

/** The syntax tree of an expression, as parsed; {@link Binder} checks it and turns it into {@link Code}. */
sealed interface Node {

    /** Offset in the expression text, for error messages. */
    int pos();

    /** A literal: {@code String}, {@code Boolean}, {@code Integer}, {@code Long}, {@code Double} or null. */
    record Literal(int pos, Object value) implements Node {
    }

    /** {@code $"..."}: literal text parts ({@link Literal}) and holes (any node). */
    record Interpolated(int pos, List<Node> parts) implements Node {
    }

    /** A simple name: a local, {@code context}, or a type such as {@code string} or {@code Math}. */
    record Name(int pos, String name) implements Node {
    }

    /** {@code target.name} or {@code target.name<T>}; {@code pos} is the name's. */
    record Member(int pos, Node target, String name, List<TypeName> typeArguments) implements Node {
    }

    /** {@code target(arguments)}, where the target is a {@link Member} or a {@link Name}. */
    record Call(int pos, Node target, List<Argument> arguments) implements Node {
    }

    /** {@code target[argument]}. */
    record Index(int pos, Node target, List<Node> arguments) implements Node {
    }

    /**
     * {@code receiver?.rest}: evaluates {@code receiver}; null yields null, otherwise {@code whenNotNull} runs with
     * its innermost {@link Receiver} bound to the value (as Roslyn's conditional access).
     */
    record ConditionalAccess(int pos, Node receiver, Node whenNotNull) implements Node {
    }

    /** The value a {@link ConditionalAccess} tested. */
    record Receiver(int pos) implements Node {
    }

    /** A prefix operator: {@code !}, {@code -}, {@code +}. */
    record Unary(int pos, String operator, Node operand) implements Node {
    }

    /** A binary operator, {@code ??} included. */
    record Binary(int pos, String operator, Node left, Node right) implements Node {
    }

    /** {@code condition ? whenTrue : whenFalse}. */
    record Conditional(int pos, Node condition, Node whenTrue, Node whenFalse) implements Node {
    }

    /** {@code (type) operand}. */
    record Cast(int pos, TypeName type, Node operand) implements Node {
    }

    /** {@code new string[] { ... }} or {@code new[] { ... }}. */
    record NewArray(int pos, List<Node> elements) implements Node {
    }

    /** A type as written: {@code string}, {@code int}, {@code JObject}, {@code string[]}. */
    record TypeName(int pos, String name) {
    }

    /** One argument of a call, possibly named ({@code preserveContent: true}). */
    record Argument(int pos, String name, Node value) {
    }
}
