package io.gatehouse.policy.expressions;

import java.util.List;

/** The statements of a <code>@{ ... }</code> block. */
sealed interface Statement {

    /** Offset in the expression text, for error messages. */
    int pos();

    /** {@code { ... }}; {@code end} is the offset of the closing brace. */
    record Block(int pos, List<Statement> statements, int end) implements Statement {
    }

    /** {@code var x = e;} or {@code string x = e;} or {@code string x;}; {@code type} is null for {@code var}. */
    record Declaration(int pos, Node.TypeName type, String name, Node initializer) implements Statement {
    }

    /** {@code x = e;}, {@code x += e;} and the like; {@code operator} is the binary operator or {@code =}. */
    record Assignment(int pos, String name, String operator, Node value) implements Statement {
    }

    /** {@code if (condition) then else otherwise}; {@code otherwise} may be null. */
    record If(int pos, Node condition, Statement then, Statement otherwise) implements Statement {
    }

    /** {@code return e;}. */
    record Return(int pos, Node value) implements Statement {
    }
}
