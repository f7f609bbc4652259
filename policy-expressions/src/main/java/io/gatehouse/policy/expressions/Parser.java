package io.gatehouse.policy.expressions;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A recursive-descent parser for the C# subset, with C#'s operator precedence. */
final class Parser {

    /** Words that cannot name a local or start a primary expression other than as they mean in C#. */
    private static final Set<String> RESERVED = Set.of(
            "if", "else", "return", "new", "true", "false", "null", "var", "is", "as", "typeof", "this", "base",
            "class", "for", "foreach", "while", "do", "switch", "case", "break", "continue", "throw", "try", "catch",
            "finally", "default", "using", "out", "ref", "in", "void");

    /** C# keywords that name types; usable as type names and as static receivers ({@code string.Join}). */
    static final Set<String> TYPE_KEYWORDS = Set.of(
            "string", "int", "long", "bool", "double", "object", "char", "byte", "decimal", "float", "short", "uint",
            "ulong", "sbyte", "ushort");

    private static final int MAX_DEPTH = 100;

    private final String src;
    private final List<Token> tokens;
    private int index;
    private int depth;

    private Parser(String src, List<Token> tokens) {
        this.src = src;
        this.tokens = tokens;
    }

    /** Parses {@code (expression)} from {@code from}, the offset after the {@code @}. */
    static Node parseExpressionForm(String src, int from) {
        Parser p = new Parser(src, new Lexer(src, from, src.length()).tokens());
        p.expect("(");
        Node n = p.expression();
        p.expect(")");
        p.expectEnd("the expression's closing ')'");
        return n;
    }

    /** Parses <code>{ statements }</code> from {@code from}, the offset after the {@code @}. */
    static Statement.Block parseBlockForm(String src, int from) {
        Parser p = new Parser(src, new Lexer(src, from, src.length()).tokens());
        Statement.Block block = p.block();
        p.expectEnd("the block's closing '}'");
        return block;
    }

    // ---- tokens

    private Token peek() {
        return tokens.get(index);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(index + ahead, tokens.size() - 1));
    }

    private Token advance() {
        Token t = tokens.get(index);
        if (t.kind() != Token.Kind.END) {
            index++;
        }
        return t;
    }

    private boolean at(String punctuation) {
        return peek().is(punctuation);
    }

    private boolean accept(String punctuation) {
        if (at(punctuation)) {
            advance();
            return true;
        }
        return false;
    }

    private Token expect(String punctuation) {
        if (!at(punctuation)) {
            throw unexpected("'" + punctuation + "'");
        }
        return advance();
    }

    private void expectEnd(String after) {
        if (peek().kind() != Token.Kind.END) {
            throw new CompileError("unexpected " + peek().describe() + " after " + after, peek().start());
        }
    }

    private CompileError unexpected(String expected) {
        Token t = peek();
        if (t.is("=>")) {
            return new CompileError("lambda expressions are not supported", t.start());
        }
        return new CompileError("expected " + expected + " but found " + t.describe(), t.start());
    }

    private String identifier(String what) {
        Token t = peek();
        if (t.kind() != Token.Kind.IDENTIFIER || RESERVED.contains(t.text())) {
            throw unexpected(what);
        }
        advance();
        return t.text();
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw new CompileError("expression is nested too deeply", peek().start());
        }
    }

    // ---- statements

    private Statement.Block block() {
        int pos = expect("{").start();
        enter();
        List<Statement> statements = new ArrayList<>();
        while (!at("}")) {
            if (peek().kind() == Token.Kind.END) {
                throw unexpected("'}'");
            }
            if (accept(";")) {
                continue;
            }
            statements.add(statement());
        }
        depth--;
        int end = advance().start();
        return new Statement.Block(pos, List.copyOf(statements), end);
    }

    private Statement statement() {
        Token t = peek();
        if (t.is("{")) {
            return block();
        }
        if (t.isWord("if")) {
            return ifStatement();
        }
        if (t.isWord("return")) {
            advance();
            if (at(";")) {
                throw new CompileError("a return statement needs a value", t.start());
            }
            Node value = expression();
            expect(";");
            return new Statement.Return(t.start(), value);
        }
        if (t.kind() == Token.Kind.IDENTIFIER && peek(1).kind() == Token.Kind.PUNCTUATION
                && isAssignmentOperator(peek(1).text()) && !RESERVED.contains(t.text())) {
            advance();
            String op = advance().text();
            Node value = expression();
            expect(";");
            return new Statement.Assignment(t.start(), t.text(), op.equals("=") ? "=" : op.substring(0, op.length() - 1),
                                            value);
        }
        if (isDeclarationStart()) {
            return declaration();
        }
        int start = t.start();
        expression();
        if (peek().kind() == Token.Kind.PUNCTUATION && isAssignmentOperator(peek().text())) {
            throw new CompileError("only local variables can be assigned; context values are read-only", peek().start());
        }
        throw new CompileError("only declarations, assignments, 'if' and 'return' can be used as statements", start);
    }

    private static boolean isAssignmentOperator(String text) {
        return switch (text) {
            case "=", "+=", "-=", "*=", "/=", "??=" -> true;
            default -> false;
        };
    }

    /** {@code var x}, {@code string x}, {@code string[] x}, {@code JObject x} (the last rejected by the binder). */
    private boolean isDeclarationStart() {
        Token t = peek();
        if (t.kind() != Token.Kind.IDENTIFIER) {
            return false;
        }
        if (t.text().equals("var") || TYPE_KEYWORDS.contains(t.text())) {
            return true;
        }
        if (RESERVED.contains(t.text())) {
            return false;
        }
        int i = 1;
        while (peek(i).is(".") && peek(i + 1).kind() == Token.Kind.IDENTIFIER) {
            i += 2;
        }
        if (peek(i).is("[") && peek(i + 1).is("]")) {
            i += 2;
        }
        return peek(i).kind() == Token.Kind.IDENTIFIER;
    }

    private Statement declaration() {
        int pos = peek().start();
        Node.TypeName type = null;
        if (peek().isWord("var")) {
            advance();
        } else {
            type = typeName();
        }
        String name = identifier("a variable name");
        if (TYPE_KEYWORDS.contains(name)) {
            throw new CompileError("'" + name + "' is a type and cannot name a variable", tokens.get(index - 1).start());
        }
        Node init = null;
        if (accept("=")) {
            init = expression();
        } else if (type == null) {
            throw new CompileError("an implicitly typed variable ('var') must be initialized", pos);
        }
        if (at(",")) {
            throw new CompileError("declare one variable per statement", peek().start());
        }
        expect(";");
        return new Statement.Declaration(pos, type, name, init);
    }

    private Node.TypeName typeName() {
        Token t = peek();
        if (t.kind() != Token.Kind.IDENTIFIER) {
            throw unexpected("a type");
        }
        StringBuilder name = new StringBuilder(identifierOrType("a type"));
        while (at(".") && peek(1).kind() == Token.Kind.IDENTIFIER) {
            advance();
            name.append('.').append(advance().text());
        }
        if (at("[") && peek(1).is("]")) {
            advance();
            advance();
            name.append("[]");
        }
        return new Node.TypeName(t.start(), name.toString());
    }

    private String identifierOrType(String what) {
        Token t = peek();
        if (t.kind() != Token.Kind.IDENTIFIER || (RESERVED.contains(t.text()) && !t.text().equals("var"))) {
            throw unexpected(what);
        }
        advance();
        return t.text();
    }

    private Statement ifStatement() {
        int pos = advance().start();
        expect("(");
        Node condition = expression();
        expect(")");
        Statement then = embedded();
        Statement otherwise = null;
        if (peek().isWord("else")) {
            advance();
            otherwise = embedded();
        }
        return new Statement.If(pos, condition, then, otherwise);
    }

    private Statement embedded() {
        enter();
        if (!at("{") && isDeclarationStart() && !peek().isWord("if") && !peek().isWord("return")) {
            throw new CompileError("a declaration is not allowed here; wrap it in braces", peek().start());
        }
        Statement s = statement();
        depth--;
        return s;
    }

    // ---- expressions

    Node expression() {
        enter();
        Node n = conditional();
        depth--;
        return n;
    }

    private Node conditional() {
        Node condition = coalesce();
        if (at("?")) {
            int pos = advance().start();
            Node whenTrue = expression();
            expect(":");
            Node whenFalse = expression();
            return new Node.Conditional(pos, condition, whenTrue, whenFalse);
        }
        return condition;
    }

    private Node coalesce() {
        Node left = or();
        if (at("??")) {
            int pos = advance().start();
            enter();
            Node right = coalesce();
            depth--;
            return new Node.Binary(pos, "??", left, right);
        }
        return left;
    }

    private Node or() {
        Node left = and();
        while (at("||")) {
            int pos = advance().start();
            left = new Node.Binary(pos, "||", left, and());
        }
        return left;
    }

    private Node and() {
        Node left = equality();
        while (at("&&")) {
            int pos = advance().start();
            left = new Node.Binary(pos, "&&", left, equality());
        }
        return left;
    }

    private Node equality() {
        Node left = relational();
        while (at("==") || at("!=")) {
            Token op = advance();
            left = new Node.Binary(op.start(), op.text(), left, relational());
        }
        return left;
    }

    private Node relational() {
        Node left = additive();
        while (true) {
            if (at("<") || at(">") || at("<=") || at(">=")) {
                Token op = advance();
                left = new Node.Binary(op.start(), op.text(), left, additive());
            } else if (peek().isWord("is") || peek().isWord("as")) {
                throw new CompileError("the '" + peek().text() + "' operator is not supported; use a cast",
                                       peek().start());
            } else {
                return left;
            }
        }
    }

    private Node additive() {
        Node left = multiplicative();
        while (at("+") || at("-")) {
            Token op = advance();
            left = new Node.Binary(op.start(), op.text(), left, multiplicative());
        }
        return left;
    }

    private Node multiplicative() {
        Node left = unary();
        while (at("*") || at("/") || at("%")) {
            Token op = advance();
            left = new Node.Binary(op.start(), op.text(), left, unary());
        }
        return left;
    }

    private Node unary() {
        Token t = peek();
        if (t.is("!") || t.is("-") || t.is("+")) {
            advance();
            enter();
            Node operand = unary();
            depth--;
            return new Node.Unary(t.start(), t.text(), operand);
        }
        if (t.is("++") || t.is("--") || t.is("~")) {
            throw new CompileError("the '" + t.text() + "' operator is not supported", t.start());
        }
        if (t.is("(") && isCast()) {
            advance();
            Node.TypeName type = typeName();
            expect(")");
            enter();
            Node operand = unary();
            depth--;
            return new Node.Cast(t.start(), type, operand);
        }
        return postfix(primary());
    }

    /**
     * At '(': is this a cast? As C#: a keyword type in parentheses always is; another name in parentheses is when
     * followed by something that starts an operand (so {@code (x) - 1} stays a subtraction).
     */
    private boolean isCast() {
        Token first = peek(1);
        if (first.kind() != Token.Kind.IDENTIFIER || RESERVED.contains(first.text())) {
            return false;
        }
        int i = 2;
        while (peek(i).is(".") && peek(i + 1).kind() == Token.Kind.IDENTIFIER) {
            i += 2;
        }
        if (peek(i).is("[") && peek(i + 1).is("]")) {
            i += 2;
        }
        if (!peek(i).is(")")) {
            return false;
        }
        if (TYPE_KEYWORDS.contains(first.text())) {
            return true;
        }
        Token after = peek(i + 1);
        return switch (after.kind()) {
            case IDENTIFIER -> !after.text().equals("is") && !after.text().equals("as");
            case STRING, NUMBER, INTERPOLATED -> true;
            case PUNCTUATION -> after.is("(") || after.is("!");
            default -> false;
        };
    }

    private Node primary() {
        Token t = peek();
        switch (t.kind()) {
            case STRING, NUMBER -> {
                advance();
                return new Node.Literal(t.start(), t.value());
            }
            case INTERPOLATED -> {
                advance();
                return interpolated(t);
            }
            case IDENTIFIER -> {
                switch (t.text()) {
                    case "true", "false" -> {
                        advance();
                        return new Node.Literal(t.start(), Boolean.valueOf(t.text()));
                    }
                    case "null" -> {
                        advance();
                        return new Node.Literal(t.start(), null);
                    }
                    case "new" -> {
                        return newArray();
                    }
                    default -> {
                        if (RESERVED.contains(t.text())) {
                            throw unexpected("an expression");
                        }
                        advance();
                        return new Node.Name(t.start(), t.text());
                    }
                }
            }
            case PUNCTUATION -> {
                if (t.is("(")) {
                    advance();
                    Node inner = expression();
                    expect(")");
                    return inner;
                }
                throw unexpected("an expression");
            }
            default -> throw unexpected("an expression");
        }
    }

    private Node interpolated(Token t) {
        List<Node> parts = new ArrayList<>();
        for (Object part : (List<?>) t.value()) {
            if (part instanceof Token.Hole hole) {
                Parser inner = new Parser(src, new Lexer(src, hole.start(), hole.end()).tokens());
                inner.depth = depth;
                Node n = inner.expression();
                if (inner.peek().kind() != Token.Kind.END) {
                    throw inner.unexpected("'}'");
                }
                parts.add(n);
            } else {
                parts.add(new Node.Literal(t.start(), part));
            }
        }
        return new Node.Interpolated(t.start(), List.copyOf(parts));
    }

    private Node newArray() {
        int pos = advance().start();
        if (at("[")) {
            advance();
            expect("]");
        } else {
            Node.TypeName type = typeName();
            if (!type.name().equals("string[]") && !type.name().equals("char[]")) {
                throw new CompileError("'new' is only supported for string arrays: new string[] { ... }", type.pos());
            }
        }
        expect("{");
        List<Node> elements = new ArrayList<>();
        while (!at("}")) {
            elements.add(expression());
            if (!accept(",")) {
                break;
            }
        }
        expect("}");
        return new Node.NewArray(pos, List.copyOf(elements));
    }

    private Node postfix(Node target) {
        Node n = target;
        while (true) {
            Token t = peek();
            if (t.is(".")) {
                advance();
                n = member(n);
            } else if (t.is("(")) {
                if (!(n instanceof Node.Member) && !(n instanceof Node.Name)) {
                    throw new CompileError("only methods can be called", t.start());
                }
                n = new Node.Call(n.pos(), n, arguments());
            } else if (t.is("[")) {
                advance();
                n = new Node.Index(t.start(), n, indexArguments());
            } else if (t.is("?.") || (t.is("?") && peek(1).is("["))) {
                advance();
                Node receiver = new Node.Receiver(t.start());
                Node first;
                if (t.is("?.")) {
                    first = member(receiver);
                } else {
                    int pos = advance().start();
                    first = new Node.Index(pos, receiver, indexArguments());
                }
                enter();
                Node rest = postfix(first);
                depth--;
                return new Node.ConditionalAccess(t.start(), n, rest);
            } else if (t.is("++") || t.is("--")) {
                throw new CompileError("the '" + t.text() + "' operator is not supported", t.start());
            } else {
                return n;
            }
        }
    }

    private Node member(Node target) {
        Token name = peek();
        String id = identifier("a member name");
        List<Node.TypeName> typeArguments = List.of();
        if (at("<") && isTypeArgumentList()) {
            advance();
            List<Node.TypeName> list = new ArrayList<>();
            do {
                list.add(typeName());
            } while (accept(","));
            expect(">");
            typeArguments = List.copyOf(list);
        }
        return new Node.Member(name.start(), target, id, typeArguments);
    }

    /** At '<' after a member name: is it {@code <T, ...>(}, a generic call, rather than a comparison? */
    private boolean isTypeArgumentList() {
        int i = 1;
        while (true) {
            if (peek(i).kind() != Token.Kind.IDENTIFIER) {
                return false;
            }
            i++;
            while (peek(i).is(".") && peek(i + 1).kind() == Token.Kind.IDENTIFIER) {
                i += 2;
            }
            if (peek(i).is("[") && peek(i + 1).is("]")) {
                i += 2;
            }
            if (peek(i).is(",")) {
                i++;
                continue;
            }
            return peek(i).is(">") && peek(i + 1).is("(");
        }
    }

    private List<Node.Argument> arguments() {
        expect("(");
        List<Node.Argument> args = new ArrayList<>();
        if (accept(")")) {
            return List.of();
        }
        do {
            Token t = peek();
            String name = null;
            if (t.kind() == Token.Kind.IDENTIFIER && peek(1).is(":") && !RESERVED.contains(t.text())) {
                name = t.text();
                advance();
                advance();
            } else if (t.isWord("out") || t.isWord("ref")) {
                throw new CompileError("'" + t.text() + "' arguments are not supported", t.start());
            }
            args.add(new Node.Argument(t.start(), name, expression()));
        } while (accept(","));
        expect(")");
        return List.copyOf(args);
    }

    private List<Node> indexArguments() {
        List<Node> args = new ArrayList<>();
        do {
            args.add(expression());
        } while (accept(","));
        expect("]");
        return List.copyOf(args);
    }
}
