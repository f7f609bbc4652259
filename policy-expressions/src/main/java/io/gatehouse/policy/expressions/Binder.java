package io.gatehouse.policy.expressions;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Checks a syntax tree against the static types and turns it into {@link Code}: names, members, overloads and
 * operators are resolved here, once, when the snapshot compiles. Only receivers of static type {@code object} (a
 * variable's value) are resolved when the expression runs.
 */
final class Binder {

    /**
     * A checked expression.
     *
     * @param type its static type
     * @param code what it runs
     */
    record Bound(Type type, Code code) {
    }

    private record Local(String name, Type type, int slot) {
    }

    /** What a statement does; returns {@link #CONTINUE} or the value of a {@code return}. */
    @FunctionalInterface
    private interface Exec {
        Object exec(Frame frame);
    }

    private static final Object CONTINUE = new Object();
    private static final Object[] NO_ARGS = new Object[0];

    private final Deque<Map<String, Local>> scopes = new ArrayDeque<>();
    private final Deque<Local> receivers = new ArrayDeque<>();
    private final List<Type> returnTypes = new ArrayList<>();
    private int slots;

    int slotCount() {
        return slots;
    }

    // ---- entry points

    Bound expression(Node node) {
        return bind(node);
    }

    Bound block(Statement.Block block) {
        Exec body = blockStatement(block);
        if (completes(block)) {
            throw new CompileError("not all code paths return a value: end the block with a return statement",
                                   block.end());
        }
        Type type = returnTypes.isEmpty() ? Type.OBJECT : returnTypes.get(0);
        for (Type t : returnTypes) {
            if (t != type) {
                type = type.isNumeric() && t.isNumeric() ? promote(type, t) : Type.OBJECT;
            }
        }
        return new Bound(type, f -> {
            Object result = body.exec(f);
            return result == CONTINUE ? null : result;
        });
    }

    // ---- statements

    private static boolean completes(Statement s) {
        return switch (s) {
            case Statement.Return r -> false;
            case Statement.Block b -> b.statements().stream().allMatch(Binder::completes);
            case Statement.If i -> i.otherwise() == null || completes(i.then()) || completes(i.otherwise());
            default -> true;
        };
    }

    private Exec statement(Statement s) {
        return switch (s) {
            case Statement.Block b -> blockStatement(b);
            case Statement.Declaration d -> declaration(d);
            case Statement.Assignment a -> assignment(a);
            case Statement.If i -> ifStatement(i);
            case Statement.Return r -> {
                Bound value = bind(r.value());
                returnTypes.add(value.type());
                Code code = value.code();
                yield code::run;
            }
        };
    }

    private Exec blockStatement(Statement.Block block) {
        scopes.push(new HashMap<>());
        Exec[] execs = block.statements().stream().map(this::statement).toArray(Exec[]::new);
        scopes.pop();
        return f -> {
            for (Exec e : execs) {
                Object result = e.exec(f);
                if (result != CONTINUE) {
                    return result;
                }
            }
            return CONTINUE;
        };
    }

    private Exec declaration(Statement.Declaration d) {
        if (d.name().equals("context")) {
            throw new CompileError("'context' is the policy context and cannot be declared again", d.pos());
        }
        if (lookup(d.name()) != null) {
            throw new CompileError("a local variable named '" + d.name() + "' is already defined", d.pos());
        }
        Type type;
        Code init;
        if (d.type() == null) {
            Bound value = bind(d.initializer());
            if (value.type() == Type.NULL) {
                throw new CompileError("cannot assign null to an implicitly-typed variable", d.initializer().pos());
            }
            type = value.type();
            init = value.code();
        } else {
            type = type(d.type());
            if (d.initializer() == null) {
                Object value = CSharp.defaultValue(type);
                init = f -> value;
            } else {
                init = convert(bind(d.initializer()), type, d.initializer().pos()).code();
            }
        }
        int slot = slots++;
        scopes.peek().put(d.name(), new Local(d.name(), type, slot));
        return f -> {
            f.slots[slot] = init.run(f);
            return CONTINUE;
        };
    }

    private Exec assignment(Statement.Assignment a) {
        Local local = lookup(a.name());
        if (local == null) {
            if (a.name().equals("context")) {
                throw new CompileError("'context' is read-only", a.pos());
            }
            throw new CompileError("the name '" + a.name() + "' does not exist in the current context", a.pos());
        }
        Bound value = a.operator().equals("=") ? bind(a.value())
                : bind(new Node.Binary(a.pos(), a.operator(), new Node.Name(a.pos(), a.name()), a.value()));
        Code code = convert(value, local.type(), a.value().pos()).code();
        int slot = local.slot();
        return f -> {
            f.slots[slot] = code.run(f);
            return CONTINUE;
        };
    }

    private Exec ifStatement(Statement.If s) {
        Code condition = condition(s.condition());
        Exec then = statement(s.then());
        Exec otherwise = s.otherwise() == null ? f -> CONTINUE : statement(s.otherwise());
        int pos = s.condition().pos();
        return f -> truth(condition.run(f), pos) ? then.exec(f) : otherwise.exec(f);
    }

    private Local lookup(String name) {
        for (Map<String, Local> scope : scopes) {
            Local l = scope.get(name);
            if (l != null) {
                return l;
            }
        }
        return null;
    }

    // ---- types

    static Type type(Node.TypeName name) {
        return switch (name.name()) {
            case "string", "String", "System.String", "char", "Char" -> Type.STRING;
            case "int", "Int32", "System.Int32" -> Type.INT;
            case "long", "Int64", "System.Int64" -> Type.LONG;
            case "double", "Double", "System.Double" -> Type.DOUBLE;
            case "bool", "Boolean", "System.Boolean" -> Type.BOOL;
            case "object", "Object", "System.Object" -> Type.OBJECT;
            case "string[]", "String[]", "char[]" -> Type.STRING_ARRAY;
            case "DateTime", "System.DateTime" -> Type.DATETIME;
            case "TimeSpan", "System.TimeSpan" -> Type.TIMESPAN;
            case "Guid", "System.Guid" -> Type.GUID;
            case "Jwt" -> Type.JWT;
            case "IResponse" -> Type.RESPONSE;
            case "JObject", "JArray", "JToken", "JValue", "XDocument", "XElement", "XNode" ->
                    throw new CompileError("type '" + name.name() + "' is not supported: Gatehouse expressions have no"
                            + " JSON or XML object model; read bodies with As<string>()", name.pos());
            default -> throw new CompileError("type '" + name.name() + "' is not supported in expressions", name.pos());
        };
    }

    static Type promote(Type a, Type b) {
        if (a == Type.DOUBLE || b == Type.DOUBLE) {
            return Type.DOUBLE;
        }
        return a == Type.LONG || b == Type.LONG ? Type.LONG : Type.INT;
    }

    /** An implicit conversion, as C# applies to an assignment or an argument. */
    private static Bound convert(Bound value, Type to, int pos) {
        if (!Type.assignable(value.type(), to)) {
            throw new CompileError("cannot implicitly convert type '" + value.type() + "' to '" + to + "'", pos);
        }
        return widen(value, to);
    }

    private static Bound widen(Bound value, Type to) {
        if (value.type().isNumeric() && to.isNumeric() && value.type() != to) {
            Code code = value.code();
            return new Bound(to, f -> CSharp.widen(code.run(f), to));
        }
        return new Bound(to, value.code());
    }

    // ---- expressions

    private Bound bind(Node node) {
        return switch (node) {
            case Node.Literal l -> literal(l.value());
            case Node.Interpolated i -> interpolated(i);
            case Node.Name n -> name(n);
            case Node.Receiver r -> {
                Local l = receivers.peek();
                int slot = l.slot();
                yield new Bound(l.type(), f -> f.slots[slot]);
            }
            case Node.Member m -> member(m);
            case Node.Call c -> call(c);
            case Node.Index i -> index(i);
            case Node.ConditionalAccess c -> conditionalAccess(c);
            case Node.Unary u -> unary(u);
            case Node.Binary b -> binary(b);
            case Node.Conditional c -> conditional(c);
            case Node.Cast c -> cast(c);
            case Node.NewArray a -> newArray(a);
        };
    }

    private static Bound literal(Object value) {
        Type type = switch (value) {
            case null -> Type.NULL;
            case String s -> Type.STRING;
            case Boolean b -> Type.BOOL;
            case Integer i -> Type.INT;
            case Long l -> Type.LONG;
            default -> Type.DOUBLE;
        };
        return new Bound(type, f -> value);
    }

    private Bound interpolated(Node.Interpolated node) {
        Code[] parts = node.parts().stream().map(p -> bind(p).code()).toArray(Code[]::new);
        return new Bound(Type.STRING, f -> {
            StringBuilder sb = new StringBuilder();
            for (Code part : parts) {
                sb.append(CSharp.toText(part.run(f)));
            }
            return sb.toString();
        });
    }

    private Bound name(Node.Name n) {
        Local local = lookup(n.name());
        if (local != null) {
            int slot = local.slot();
            return new Bound(local.type(), f -> f.slots[slot]);
        }
        if (n.name().equals("context")) {
            return new Bound(Type.CONTEXT, f -> f.context);
        }
        if (StaticMembers.canonical(n.name()) != null) {
            throw new CompileError("'" + n.name() + "' is a type, not a value", n.pos());
        }
        StaticMembers.checkSupported(n.name(), n.pos());
        throw new CompileError("the name '" + n.name() + "' does not exist in the current context", n.pos());
    }

    /** The canonical static type a member access starts from ({@code string.Join}), or null. */
    private String staticType(Node target) {
        if (target instanceof Node.Member m && m.typeArguments().isEmpty() && m.target() instanceof Node.Name n
                && n.name().equals("System") && lookup("System") == null) {
            String canonical = StaticMembers.canonical(m.name());
            if (canonical == null) {
                throw new CompileError("'System." + m.name() + "' is not supported by Gatehouse expressions", m.pos());
            }
            return canonical;
        }
        if (target instanceof Node.Name n && lookup(n.name()) == null && !n.name().equals("context")) {
            String canonical = StaticMembers.canonical(n.name());
            if (canonical == null) {
                StaticMembers.checkSupported(n.name(), n.pos());
            }
            return canonical;
        }
        return null;
    }

    private Bound member(Node.Member m) {
        if (!m.typeArguments().isEmpty()) {
            throw new CompileError("'" + m.name() + "' with type arguments must be called: " + m.name() + "<...>()",
                                   m.pos());
        }
        String staticType = staticType(m.target());
        if (staticType != null) {
            Member member = StaticMembers.property(staticType, m.name(), m.pos());
            return new Bound(member.type(), f -> invoke(member, null, NO_ARGS, f, m.pos()));
        }
        return instance(bind(m.target()), "member '" + m.name() + "'", m.pos(), Type.OBJECT,
                        type -> Members.property(type, m.name(), m.pos()), List.of());
    }

    private Bound call(Node.Call c) {
        if (!(c.target() instanceof Node.Member m)) {
            Node.Name n = (Node.Name) c.target();
            throw new CompileError("the method '" + n.name() + "' does not exist; call methods on a value or a type,"
                                           + " such as string.Join(...)", n.pos());
        }
        List<Bound> args = new ArrayList<>();
        List<CallSite.Arg> infos = new ArrayList<>();
        for (Node.Argument a : c.arguments()) {
            Bound b = bind(a.value());
            args.add(b);
            infos.add(new CallSite.Arg(a.name(), b.type(), a.pos()));
        }
        List<Type> typeArguments = m.typeArguments().stream().map(Binder::type).toList();
        String staticType = staticType(m.target());
        if (staticType != null) {
            Member member = StaticMembers.method(staticType, new CallSite(staticType, m.name(), typeArguments, infos,
                                                                          m.pos()));
            Code[] codes = codes(args);
            return new Bound(member.type(), f -> invoke(member, null, evaluate(codes, f), f, m.pos()));
        }
        // On an object, ToString and Equals are still known to yield a string and a bool, as in C#.
        Type dynamicType = switch (m.name()) {
            case "ToString" -> Type.STRING;
            case "Equals" -> Type.BOOL;
            default -> Type.OBJECT;
        };
        return instance(bind(m.target()), "method '" + m.name() + "'", m.pos(), dynamicType,
                        type -> Members.method(type, new CallSite(type.toString(), m.name(), typeArguments, infos,
                                                                  m.pos())), args);
    }

    private Bound index(Node.Index i) {
        if (i.arguments().size() != 1) {
            throw new CompileError("only one index is supported", i.pos());
        }
        Bound target = bind(i.target());
        Bound arg = bind(i.arguments().get(0));
        return instance(target, "an indexer", i.pos(), Type.OBJECT, type -> Members.indexer(type, arg.type(), i.pos()),
                        List.of(arg));
    }

    /**
     * A member of a value. For a receiver of static type {@code object}, the member is resolved when the expression
     * runs, by the value's run-time type; an unknown member then fails the evaluation.
     */
    private static Bound instance(Bound target, String what, int pos, Type dynamicType, Function<Type, Member> resolve,
                                  List<Bound> args) {
        if (target.type() == Type.NULL) {
            throw new CompileError("cannot use " + what + " on null", pos);
        }
        Code receiver = target.code();
        Code[] codes = codes(args);
        if (target.type() == Type.OBJECT) {
            return new Bound(dynamicType, f -> {
                Object t = receiver.run(f);
                Object[] values = evaluate(codes, f);
                if (t == null) {
                    throw nullReference(what, pos);
                }
                Member member;
                try {
                    member = resolve.apply(Type.ofValue(t));
                } catch (CompileError e) {
                    throw new EvaluationError(e.getMessage() + " (the value is " + Type.runtimeName(t) + ")", pos, null);
                }
                return invoke(member, t, values, f, pos);
            });
        }
        Member member = resolve.apply(target.type());
        return new Bound(member.type(), f -> {
            Object t = receiver.run(f);
            Object[] values = evaluate(codes, f);
            if (t == null && !member.acceptsNull()) {
                throw nullReference(what, pos);
            }
            return invoke(member, t, values, f, pos);
        });
    }

    private static EvaluationError nullReference(String what, int pos) {
        return new EvaluationError("NullReferenceException: " + what + " was used on null", pos, null);
    }

    private static Code[] codes(List<Bound> args) {
        return args.stream().map(Bound::code).toArray(Code[]::new);
    }

    private static Object[] evaluate(Code[] codes, Frame f) {
        if (codes.length == 0) {
            return NO_ARGS;
        }
        Object[] values = new Object[codes.length];
        for (int i = 0; i < codes.length; i++) {
            values[i] = codes[i].run(f);
        }
        return values;
    }

    private static Object invoke(Member member, Object target, Object[] args, Frame f, int pos) {
        try {
            return member.impl().apply(target, args, f);
        } catch (EvaluationError e) {
            throw e.at(pos);
        } catch (RuntimeException e) {
            throw new EvaluationError(e.getClass().getSimpleName() + ": " + e.getMessage(), pos, e);
        }
    }

    private Bound conditionalAccess(Node.ConditionalAccess c) {
        Bound receiver = bind(c.receiver());
        if (receiver.type() == Type.NULL) {
            throw new CompileError("cannot use '?.' on null", c.pos());
        }
        Local local = new Local("?.", receiver.type(), slots++);
        receivers.push(local);
        Bound rest = bind(c.whenNotNull());
        receivers.pop();
        Code code = receiver.code();
        Code then = rest.code();
        int slot = local.slot();
        return new Bound(rest.type(), f -> {
            Object value = code.run(f);
            if (value == null) {
                return null;
            }
            f.slots[slot] = value;
            return then.run(f);
        });
    }

    private Code condition(Node node) {
        Bound b = bind(node);
        if (b.type() != Type.BOOL) {
            throw new CompileError("a condition must be a bool, not " + b.type(), node.pos());
        }
        return b.code();
    }

    private static boolean truth(Object value, int pos) {
        try {
            return CSharp.truth(value);
        } catch (EvaluationError e) {
            throw e.at(pos);
        }
    }

    private Bound unary(Node.Unary u) {
        Bound operand = bind(u.operand());
        Code code = operand.code();
        Type type = operand.type();
        switch (u.operator()) {
            case "!" -> {
                if (type != Type.BOOL) {
                    throw operatorError(u.operator(), type, u.pos());
                }
                return new Bound(Type.BOOL, f -> {
                    Object v = code.run(f);
                    return v == null ? null : !(Boolean) v;
                });
            }
            case "-" -> {
                if (!type.isNumeric() && type != Type.TIMESPAN) {
                    throw operatorError(u.operator(), type, u.pos());
                }
                return new Bound(type, f -> CSharp.negate(code.run(f)));
            }
            default -> {
                if (!type.isNumeric()) {
                    throw operatorError(u.operator(), type, u.pos());
                }
                return operand;
            }
        }
    }

    private static CompileError operatorError(String op, Type type, int pos) {
        return new CompileError("operator '" + op + "' cannot be applied to an operand of type '" + type + "'", pos);
    }

    private static CompileError operatorError(String op, Type left, Type right, int pos) {
        return new CompileError("operator '" + op + "' cannot be applied to operands of type '" + left + "' and '"
                                        + right + "'", pos);
    }

    private Bound binary(Node.Binary b) {
        Bound left = bind(b.left());
        Bound right = bind(b.right());
        Type lt = left.type();
        Type rt = right.type();
        String op = b.operator();
        int pos = b.pos();
        Code l = left.code();
        Code r = right.code();
        switch (op) {
            case "&&", "||" -> {
                if (lt != Type.BOOL || rt != Type.BOOL) {
                    throw operatorError(op, lt, rt, pos);
                }
                boolean and = op.equals("&&");
                int lp = b.left().pos();
                int rp = b.right().pos();
                return new Bound(Type.BOOL, f -> {
                    boolean first = truth(l.run(f), lp);
                    if (and != first) {
                        return first;
                    }
                    return truth(r.run(f), rp);
                });
            }
            case "??" -> {
                Type type = commonType(lt, rt);
                if (type == null || (lt == Type.NULL && rt == Type.NULL)) {
                    throw operatorError(op, lt, rt, pos);
                }
                Code lc = widen(left, type).code();
                Code rc = widen(right, type).code();
                return new Bound(type, f -> {
                    Object v = lc.run(f);
                    return v != null ? v : rc.run(f);
                });
            }
            case "==", "!=" -> {
                boolean comparable = lt == Type.NULL || rt == Type.NULL || lt == Type.OBJECT || rt == Type.OBJECT
                        || (lt.isNumeric() && rt.isNumeric()) || Type.assignable(lt, rt) || Type.assignable(rt, lt);
                if (!comparable) {
                    throw operatorError(op, lt, rt, pos);
                }
                boolean equals = op.equals("==");
                return new Bound(Type.BOOL, f -> CSharp.equal(l.run(f), r.run(f)) == equals);
            }
            case "<", "<=", ">", ">=" -> {
                boolean ok = (lt.isNumeric() && rt.isNumeric()) || (lt == rt && (lt == Type.TIMESPAN || lt == Type.DATETIME));
                if (!ok) {
                    throw operatorError(op, lt, rt, pos);
                }
                return new Bound(Type.BOOL, f -> {
                    try {
                        return CSharp.relational(op, l.run(f), r.run(f));
                    } catch (EvaluationError e) {
                        throw e.at(pos);
                    }
                });
            }
            default -> {
                return arithmetic(op, left, right, pos);
            }
        }
    }

    private static Bound arithmetic(String op, Bound left, Bound right, int pos) {
        Type lt = left.type();
        Type rt = right.type();
        Code l = left.code();
        Code r = right.code();
        if (op.equals("+") && (lt == Type.STRING || rt == Type.STRING)) {
            return new Bound(Type.STRING, f -> {
                String a = CSharp.toText(l.run(f));
                return a.concat(CSharp.toText(r.run(f)));
            });
        }
        if (lt.isNumeric() && rt.isNumeric()) {
            Type type = promote(lt, rt);
            Code lc = widen(left, type).code();
            Code rc = widen(right, type).code();
            return new Bound(type, f -> {
                try {
                    return CSharp.arithmetic(op, lc.run(f), rc.run(f), type);
                } catch (EvaluationError e) {
                    throw e.at(pos);
                }
            });
        }
        if (op.equals("+") && lt == Type.DATETIME && rt == Type.TIMESPAN) {
            return new Bound(Type.DATETIME, f -> nullSafe(l.run(f), r.run(f), (a, b) -> ((Instant) a).plus((Duration) b)));
        }
        if (op.equals("-") && lt == Type.DATETIME && rt == Type.TIMESPAN) {
            return new Bound(Type.DATETIME, f -> nullSafe(l.run(f), r.run(f), (a, b) -> ((Instant) a).minus((Duration) b)));
        }
        if (op.equals("-") && lt == Type.DATETIME && rt == Type.DATETIME) {
            return new Bound(Type.TIMESPAN, f -> nullSafe(l.run(f), r.run(f),
                                                           (a, b) -> Duration.between((Instant) b, (Instant) a)));
        }
        if ((op.equals("+") || op.equals("-")) && lt == Type.TIMESPAN && rt == Type.TIMESPAN) {
            boolean plus = op.equals("+");
            return new Bound(Type.TIMESPAN, f -> nullSafe(l.run(f), r.run(f), (a, b) -> plus
                    ? ((Duration) a).plus((Duration) b) : ((Duration) a).minus((Duration) b)));
        }
        throw operatorError(op, lt, rt, pos);
    }

    @FunctionalInterface
    private interface Operation {
        Object apply(Object a, Object b);
    }

    private static Object nullSafe(Object a, Object b, Operation operation) {
        return a == null || b == null ? null : operation.apply(a, b);
    }

    /** The type of {@code a ?? b} and {@code c ? a : b}: the type both convert to, or null. */
    private static Type commonType(Type a, Type b) {
        if (a == b) {
            return a;
        }
        if (a.isNumeric() && b.isNumeric()) {
            return promote(a, b);
        }
        if (a == Type.NULL) {
            return b;
        }
        if (b == Type.NULL) {
            return a;
        }
        if (Type.assignable(b, a)) {
            return a;
        }
        return Type.assignable(a, b) ? b : null;
    }

    private Bound conditional(Node.Conditional c) {
        Code condition = condition(c.condition());
        Bound whenTrue = bind(c.whenTrue());
        Bound whenFalse = bind(c.whenFalse());
        Type type = commonType(whenTrue.type(), whenFalse.type());
        if (type == null) {
            throw new CompileError("type of conditional expression cannot be determined: there is no implicit"
                    + " conversion between '" + whenTrue.type() + "' and '" + whenFalse.type() + "'", c.pos());
        }
        Code t = widen(whenTrue, type).code();
        Code e = widen(whenFalse, type).code();
        int pos = c.condition().pos();
        return new Bound(type, f -> truth(condition.run(f), pos) ? t.run(f) : e.run(f));
    }

    private Bound cast(Node.Cast c) {
        Type to = type(c.type());
        Bound operand = bind(c.operand());
        Type from = operand.type();
        Code code = operand.code();
        int pos = c.pos();
        if (from == to || to == Type.OBJECT) {
            return new Bound(to, code);
        }
        if (from.isNumeric() && to.isNumeric()) {
            return new Bound(to, f -> {
                Object v = code.run(f);
                return v == null ? null : CSharp.cast(v, to);
            });
        }
        if (from == Type.OBJECT || (from == Type.NULL && !to.isValueType())) {
            return new Bound(to, f -> {
                try {
                    return CSharp.cast(code.run(f), to);
                } catch (EvaluationError e) {
                    throw e.at(pos);
                }
            });
        }
        throw new CompileError("cannot convert type '" + from + "' to '" + to + "'", pos);
    }

    private Bound newArray(Node.NewArray a) {
        Code[] elements = new Code[a.elements().size()];
        for (int i = 0; i < elements.length; i++) {
            Node e = a.elements().get(i);
            elements[i] = convert(bind(e), Type.STRING, e.pos()).code();
        }
        return new Bound(Type.STRING_ARRAY, f -> {
            String[] array = new String[elements.length];
            for (int i = 0; i < elements.length; i++) {
                array[i] = (String) elements[i].run(f);
            }
            return array;
        });
    }
}
