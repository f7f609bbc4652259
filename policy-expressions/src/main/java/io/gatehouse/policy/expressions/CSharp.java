package io.gatehouse.policy.expressions;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/** The run-time semantics of the C# subset: conversions to text, equality, arithmetic, numeric conversions. */
final class CSharp {

    static final long TICKS_PER_SECOND = 10_000_000L;
    /** Seconds from 0001-01-01 (C#'s tick origin) to 1970-01-01. */
    static final long EPOCH_SECONDS_FROM_YEAR_ONE = 62_135_596_800L;

    private CSharp() {
    }

    // ---- text

    /** C#'s {@code ToString()} of a value, as APIM converts an expression result to text; null is empty. */
    static String toText(Object v) {
        return switch (v) {
            case null -> "";
            case String s -> s;
            case Boolean b -> b ? "True" : "False";
            case Integer i -> i.toString();
            case Long l -> l.toString();
            case Double d -> formatDouble(d);
            case Duration d -> formatTimeSpan(d);
            case Instant i -> CSharpFormat.dateTime(i, "G");
            case UUID u -> u.toString();
            case String[] a -> "System.String[]";
            default -> {
                Type t = Type.ofValue(v);
                yield t == Type.OBJECT || t == Type.URL || t == Type.STRING_COMPARISON || t == Type.SPLIT_OPTIONS
                        ? String.valueOf(v) : t.toString();
            }
        };
    }

    /** A double as .NET Core prints it: shortest round-trip digits, scientific below 1E-05 and from 1E+15. */
    static String formatDouble(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0" : "0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int exponent = digits.length() - 1 - exact.scale();
        String sign = d < 0 ? "-" : "";
        if (exponent >= 15 || exponent < -4) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            int e = Math.abs(exponent);
            return sign + mantissa + "E" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" + e : String.valueOf(e));
        }
        return sign + exact.toPlainString();
    }

    /** C#'s {@code TimeSpan.ToString()}: {@code [-][d.]hh:mm:ss[.fffffff]}. */
    static String formatTimeSpan(Duration d) {
        long ticks = ticks(d);
        StringBuilder sb = new StringBuilder();
        if (ticks < 0) {
            sb.append('-');
            ticks = -ticks;
        }
        long days = ticks / (TICKS_PER_SECOND * 86_400);
        long rest = ticks % (TICKS_PER_SECOND * 86_400);
        if (days > 0) {
            sb.append(days).append('.');
        }
        long seconds = rest / TICKS_PER_SECOND;
        sb.append(String.format(Locale.ROOT, "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60));
        long fraction = rest % TICKS_PER_SECOND;
        if (fraction != 0) {
            sb.append(String.format(Locale.ROOT, ".%07d", fraction));
        }
        return sb.toString();
    }

    static long ticks(Duration d) {
        return d.getSeconds() * TICKS_PER_SECOND + d.getNano() / 100;
    }

    static long ticks(Instant i) {
        return (i.getEpochSecond() + EPOCH_SECONDS_FROM_YEAR_ONE) * TICKS_PER_SECOND + i.getNano() / 100;
    }

    // ---- comparisons

    /** {@code ==}: numbers by value across int, long and double; strings by value; otherwise {@code equals}. */
    static boolean equal(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a instanceof Number x && b instanceof Number y) {
            if (x instanceof Double || y instanceof Double) {
                return x.doubleValue() == y.doubleValue();
            }
            return x.longValue() == y.longValue();
        }
        return a.equals(b);
    }

    /** {@code < <= > >=}; false when either side is null, as C#'s lifted operators. */
    static boolean relational(String op, Object a, Object b) {
        if (a == null || b == null) {
            return false;
        }
        if (a instanceof Number x && b instanceof Number y) {
            if (x instanceof Double || y instanceof Double) {
                double l = x.doubleValue();
                double r = y.doubleValue();
                return switch (op) {
                    case "<" -> l < r;
                    case "<=" -> l <= r;
                    case ">" -> l > r;
                    default -> l >= r;
                };
            }
            return compareResult(op, Long.compare(x.longValue(), y.longValue()));
        }
        if (a instanceof Duration x && b instanceof Duration y) {
            return compareResult(op, x.compareTo(y));
        }
        if (a instanceof Instant x && b instanceof Instant y) {
            return compareResult(op, x.compareTo(y));
        }
        throw new EvaluationError("operator '" + op + "' cannot compare " + Type.runtimeName(a) + " and "
                                          + Type.runtimeName(b));
    }

    private static boolean compareResult(String op, int c) {
        return switch (op) {
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            default -> c >= 0;
        };
    }

    /** A condition's value; a null (from {@code ?.}) cannot be one. */
    static boolean truth(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw new EvaluationError(v == null ? "NullReferenceException: a null value was used as a condition"
                                          : "InvalidCastException: " + Type.runtimeName(v) + " is not a bool");
    }

    // ---- arithmetic

    /** {@code * / % + -} on numbers of one type, after the checker promoted both sides; null propagates. */
    static Object arithmetic(String op, Object a, Object b, Type type) {
        if (a == null || b == null) {
            return null;
        }
        return switch (type) {
            case INT -> intArithmetic(op, ((Number) a).intValue(), ((Number) b).intValue());
            case LONG -> longArithmetic(op, ((Number) a).longValue(), ((Number) b).longValue());
            case DOUBLE -> doubleArithmetic(op, ((Number) a).doubleValue(), ((Number) b).doubleValue());
            default -> throw new IllegalStateException("arithmetic on " + type);
        };
    }

    private static Object intArithmetic(String op, int l, int r) {
        return switch (op) {
            case "+" -> l + r;
            case "-" -> l - r;
            case "*" -> l * r;
            case "/" -> {
                checkDivision(r == 0, l == Integer.MIN_VALUE && r == -1);
                yield l / r;
            }
            default -> {
                checkDivision(r == 0, l == Integer.MIN_VALUE && r == -1);
                yield l % r;
            }
        };
    }

    private static Object longArithmetic(String op, long l, long r) {
        return switch (op) {
            case "+" -> l + r;
            case "-" -> l - r;
            case "*" -> l * r;
            case "/" -> {
                checkDivision(r == 0, l == Long.MIN_VALUE && r == -1);
                yield l / r;
            }
            default -> {
                checkDivision(r == 0, l == Long.MIN_VALUE && r == -1);
                yield l % r;
            }
        };
    }

    private static void checkDivision(boolean byZero, boolean overflow) {
        if (byZero) {
            throw new EvaluationError("DivideByZeroException: attempted to divide by zero");
        }
        if (overflow) {
            throw new EvaluationError("OverflowException: arithmetic operation resulted in an overflow");
        }
    }

    private static Object doubleArithmetic(String op, double l, double r) {
        return switch (op) {
            case "+" -> l + r;
            case "-" -> l - r;
            case "*" -> l * r;
            case "/" -> l / r;
            default -> l % r;
        };
    }

    static Object negate(Object v) {
        return switch (v) {
            case null -> null;
            case Integer i -> -i;
            case Long l -> -l;
            case Double d -> -d;
            case Duration d -> d.negated();
            default -> throw new EvaluationError("operator '-' cannot be applied to " + Type.runtimeName(v));
        };
    }

    /** Converts a number to the Java representation of a numeric type (int to long, long to double...). */
    static Object widen(Object v, Type to) {
        if (!(v instanceof Number n)) {
            return v;
        }
        return switch (to) {
            case INT -> n.intValue();
            case LONG -> n.longValue();
            case DOUBLE -> n.doubleValue();
            default -> v;
        };
    }

    // ---- conversions and parsing

    static int intArg(Object v) {
        return ((Number) v).intValue();
    }

    static double doubleArg(Object v) {
        return ((Number) v).doubleValue();
    }

    /** C#'s {@code int.Parse}: optional white space and sign around decimal digits. */
    static int parseInt(String s) {
        long v = parseLong(s, "Int32");
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new EvaluationError("OverflowException: value was either too large or too small for an Int32");
        }
        return (int) v;
    }

    static long parseLong(String s, String typeName) {
        if (s == null) {
            throw new EvaluationError("ArgumentNullException: value cannot be null");
        }
        String t = trimNumber(s);
        boolean digits = !t.isEmpty();
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!(c >= '0' && c <= '9') && !(i == 0 && (c == '-' || c == '+') && t.length() > 1)) {
                digits = false;
                break;
            }
        }
        if (!digits) {
            throw new EvaluationError("FormatException: the input string '" + s + "' was not in a correct format");
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new EvaluationError("OverflowException: value was either too large or too small for an " + typeName,
                                      -1, e);
        }
    }

    static double parseDouble(String s) {
        if (s == null) {
            throw new EvaluationError("ArgumentNullException: value cannot be null");
        }
        String t = trimNumber(s);
        if (t.isEmpty() || !t.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
            throw new EvaluationError("FormatException: the input string '" + s + "' was not in a correct format");
        }
        return Double.parseDouble(t);
    }

    static boolean parseBool(String s) {
        if (s == null) {
            throw new EvaluationError("ArgumentNullException: value cannot be null");
        }
        String t = s.strip();
        if (t.equalsIgnoreCase("true")) {
            return true;
        }
        if (t.equalsIgnoreCase("false")) {
            return false;
        }
        throw new EvaluationError("FormatException: string '" + s + "' was not recognized as a valid Boolean");
    }

    private static String trimNumber(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isNumberWhite(s.charAt(start))) {
            start++;
        }
        while (end > start && isNumberWhite(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isNumberWhite(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /** C#'s {@code char.IsWhiteSpace}. */
    static boolean isWhiteSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** {@code Convert.ToInt64}: numbers round half to even, strings parse, booleans are 1 or 0, null is 0. */
    static long convertToLong(Object v, String typeName, long min, long max) {
        long result = switch (v) {
            case null -> 0L;
            case Integer i -> i;
            case Long l -> l;
            case Double d -> {
                double r = Math.rint(d);
                if (Double.isNaN(r) || r < min || r > max) {
                    throw overflow(typeName);
                }
                yield (long) r;
            }
            case Boolean b -> b ? 1L : 0L;
            case String s -> parseLong(s, typeName);
            default -> throw invalidCast(v, typeName);
        };
        if (result < min || result > max) {
            throw overflow(typeName);
        }
        return result;
    }

    static double convertToDouble(Object v) {
        return switch (v) {
            case null -> 0.0;
            case Number n -> n.doubleValue();
            case Boolean b -> b ? 1.0 : 0.0;
            case String s -> parseDouble(s);
            default -> throw invalidCast(v, "Double");
        };
    }

    static boolean convertToBoolean(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Double d -> d != 0;
            case Number n -> n.longValue() != 0;
            case String s -> parseBool(s);
            default -> throw invalidCast(v, "Boolean");
        };
    }

    private static EvaluationError overflow(String typeName) {
        return new EvaluationError("OverflowException: value was either too large or too small for an " + typeName);
    }

    static EvaluationError invalidCast(Object v, String target) {
        return new EvaluationError("InvalidCastException: unable to cast " + Type.runtimeName(v) + " to " + target);
    }

    /**
     * An explicit cast {@code (T)v} of a value whose static type did not settle it ({@code object}). As C#'s
     * unboxing, except that any number converts to any numeric type.
     */
    static Object cast(Object v, Type to) {
        if (v == null) {
            if (to.isValueType()) {
                throw new EvaluationError("NullReferenceException: cannot cast null to " + to);
            }
            return null;
        }
        return switch (to) {
            case OBJECT -> v;
            case INT -> {
                if (v instanceof Number n) {
                    yield v instanceof Double d ? (int) (double) d : n.intValue();
                }
                throw invalidCast(v, "int");
            }
            case LONG -> {
                if (v instanceof Number n) {
                    yield v instanceof Double d ? (long) (double) d : n.longValue();
                }
                throw invalidCast(v, "long");
            }
            case DOUBLE -> {
                if (v instanceof Number n) {
                    yield n.doubleValue();
                }
                throw invalidCast(v, "double");
            }
            default -> {
                if (Type.ofValue(v) == to) {
                    yield v;
                }
                throw invalidCast(v, to.toString());
            }
        };
    }

    /** C#'s {@code default(T)}. */
    static Object defaultValue(Type type) {
        return switch (type) {
            case INT -> 0;
            case LONG -> 0L;
            case DOUBLE -> 0.0;
            case BOOL -> false;
            case TIMESPAN -> Duration.ZERO;
            case DATETIME -> Instant.parse("0001-01-01T00:00:00Z");
            case GUID -> new UUID(0, 0);
            default -> null;
        };
    }
}
