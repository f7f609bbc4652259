package io.gatehouse.policy.expressions;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.StringJoiner;
import java.util.UUID;

/**
 * Static members of the types expressions may name: {@code string}, {@code Convert}, {@code Math}, {@code int},
 * {@code long}, {@code double}, {@code bool}, {@code DateTime}, {@code Guid}, {@code TimeSpan},
 * {@code StringComparison} and {@code StringSplitOptions}. Time comes from the exchange's clock.
 */
final class StaticMembers {

    /** Types APIM offers that Gatehouse does not; naming one is a compile error that says so. */
    private static final Set<String> UNSUPPORTED = Set.of(
            "JObject", "JArray", "JToken", "JValue", "JsonConvert", "XDocument", "XElement", "Regex", "Encoding",
            "Uri", "HttpUtility", "WebUtility", "Enumerable", "Array", "BitConverter", "TimeZoneInfo", "DateTimeOffset",
            "CultureInfo", "Environment", "Newtonsoft", "System", "Random", "Int16", "Decimal", "Char",
            "StringBuilder", "HashAlgorithm", "SHA256", "HMACSHA256", "X509Certificate2");

    private StaticMembers() {
    }

    /** The canonical name of a static type as written, or null if the name is not one. */
    static String canonical(String name) {
        return switch (name) {
            case "string", "String" -> "string";
            case "int", "Int32" -> "int";
            case "long", "Int64" -> "long";
            case "double", "Double" -> "double";
            case "bool", "Boolean" -> "bool";
            // Jwt has no static members; naming it here makes Jwt.X say so rather than that Jwt does not exist.
            case "Convert", "Math", "DateTime", "Guid", "TimeSpan", "StringComparison", "StringSplitOptions", "Jwt" -> name;
            default -> null;
        };
    }

    static void checkSupported(String name, int pos) {
        if (UNSUPPORTED.contains(name)) {
            throw new CompileError("'" + name + "' is not supported by Gatehouse expressions", pos);
        }
    }

    private static CompileError unknown(String type, String name, int pos) {
        return new CompileError("'" + type + "' does not contain a definition for '" + name + "'", pos);
    }

    static Member property(String type, String name, int pos) {
        return switch (type) {
            case "string" -> switch (name) {
                case "Empty" -> Member.constant(Type.STRING, "");
                default -> throw unknown(type, name, pos);
            };
            case "int" -> switch (name) {
                case "MaxValue" -> Member.constant(Type.INT, Integer.MAX_VALUE);
                case "MinValue" -> Member.constant(Type.INT, Integer.MIN_VALUE);
                default -> throw unknown(type, name, pos);
            };
            case "long" -> switch (name) {
                case "MaxValue" -> Member.constant(Type.LONG, Long.MAX_VALUE);
                case "MinValue" -> Member.constant(Type.LONG, Long.MIN_VALUE);
                default -> throw unknown(type, name, pos);
            };
            case "DateTime" -> switch (name) {
                // As in a gateway running in UTC: Now and UtcNow are the same instant.
                case "UtcNow", "Now" -> Member.of(Type.DATETIME, (t, a, f) -> now(f));
                case "Today" -> Member.of(Type.DATETIME, (t, a, f) -> now(f).truncatedTo(ChronoUnit.DAYS));
                default -> throw unknown(type, name, pos);
            };
            case "Guid" -> switch (name) {
                case "Empty" -> Member.constant(Type.GUID, new UUID(0, 0));
                default -> throw unknown(type, name, pos);
            };
            case "TimeSpan" -> switch (name) {
                case "Zero" -> Member.constant(Type.TIMESPAN, Duration.ZERO);
                default -> throw unknown(type, name, pos);
            };
            case "StringComparison" -> {
                StringComparison c = StringComparison.named(name);
                if (c == null) {
                    throw unknown(type, name, pos);
                }
                yield Member.constant(Type.STRING_COMPARISON, c);
            }
            case "StringSplitOptions" -> {
                SplitOptions o = SplitOptions.named(name);
                if (o == null) {
                    throw unknown(type, name, pos);
                }
                yield Member.constant(Type.SPLIT_OPTIONS, o);
            }
            default -> throw unknown(type, name, pos);
        };
    }

    private static Instant now(Frame frame) {
        return frame.context.services().clock().instant();
    }

    static Member method(String type, CallSite site) {
        return switch (type) {
            case "string" -> string(site);
            case "Convert" -> convert(site);
            case "Math" -> math(site);
            case "int" -> parse(site, Type.INT);
            case "long" -> parse(site, Type.LONG);
            case "double" -> parse(site, Type.DOUBLE);
            case "bool" -> parse(site, Type.BOOL);
            case "Guid" -> {
                if (!site.name().equals("NewGuid")) {
                    throw unknown(type, site.name(), site.pos());
                }
                site.arity(0, 0);
                yield Member.of(Type.GUID, (t, a, f) -> UUID.randomUUID());
            }
            case "TimeSpan" -> timeSpan(site);
            default -> throw unknown(type, site.name(), site.pos());
        };
    }

    private static Member string(CallSite site) {
        return switch (site.name()) {
            case "IsNullOrEmpty" -> {
                site.arity(1, 1).argument(0, Type.STRING);
                yield Member.of(Type.BOOL, (t, a, f) -> a[0] == null || ((String) a[0]).isEmpty());
            }
            case "IsNullOrWhiteSpace" -> {
                site.arity(1, 1).argument(0, Type.STRING);
                yield Member.of(Type.BOOL, (t, a, f) -> a[0] == null || ((String) a[0]).chars()
                        .allMatch(c -> CSharp.isWhiteSpace((char) c)));
            }
            case "Format" -> {
                site.arity(1, Integer.MAX_VALUE).argument(0, Type.STRING);
                yield Member.of(Type.STRING, (t, a, f) -> {
                    Object[] args = new Object[a.length - 1];
                    System.arraycopy(a, 1, args, 0, args.length);
                    if (args.length == 1 && args[0] instanceof String[] array) {
                        args = array.clone();
                    }
                    return CSharpFormat.composite((String) a[0], args);
                });
            }
            case "Join" -> {
                site.arity(1, Integer.MAX_VALUE).argument(0, Type.STRING);
                yield Member.of(Type.STRING, (t, a, f) -> {
                    StringJoiner joiner = new StringJoiner(a[0] == null ? "" : (String) a[0]);
                    if (a.length == 2 && a[1] instanceof String[] array) {
                        for (String s : array) {
                            joiner.add(s == null ? "" : s);
                        }
                    } else {
                        for (int i = 1; i < a.length; i++) {
                            joiner.add(CSharp.toText(a[i]));
                        }
                    }
                    return joiner.toString();
                });
            }
            case "Concat" -> {
                site.arity(0, Integer.MAX_VALUE);
                yield Member.of(Type.STRING, (t, a, f) -> {
                    StringBuilder sb = new StringBuilder();
                    Object[] items = a.length == 1 && a[0] instanceof String[] array ? array : a;
                    for (Object o : items) {
                        sb.append(CSharp.toText(o));
                    }
                    return sb.toString();
                });
            }
            case "Equals" -> {
                site.arity(2, 3).argument(0, Type.STRING).argument(1, Type.STRING);
                if (site.size() > 2) {
                    site.argument(2, Type.STRING_COMPARISON);
                }
                yield Member.of(Type.BOOL, (t, a, f) -> {
                    if (a[0] == null || a[1] == null) {
                        return a[0] == a[1];
                    }
                    boolean ignoreCase = a.length > 2 && ((StringComparison) a[2]).ignoreCase();
                    return ignoreCase ? ((String) a[0]).equalsIgnoreCase((String) a[1]) : a[0].equals(a[1]);
                });
            }
            default -> throw unknown("string", site.name(), site.pos());
        };
    }

    private static Member convert(CallSite site) {
        return switch (site.name()) {
            case "ToInt32" -> {
                site.arity(1, 1);
                yield Member.of(Type.INT, (t, a, f) -> (int) CSharp.convertToLong(a[0], "Int32", Integer.MIN_VALUE,
                                                                                   Integer.MAX_VALUE));
            }
            case "ToInt64" -> {
                site.arity(1, 1);
                yield Member.of(Type.LONG, (t, a, f) -> CSharp.convertToLong(a[0], "Int64", Long.MIN_VALUE,
                                                                              Long.MAX_VALUE));
            }
            case "ToDouble" -> {
                site.arity(1, 1);
                yield Member.of(Type.DOUBLE, (t, a, f) -> CSharp.convertToDouble(a[0]));
            }
            case "ToBoolean" -> {
                site.arity(1, 1);
                yield Member.of(Type.BOOL, (t, a, f) -> CSharp.convertToBoolean(a[0]));
            }
            case "ToString" -> {
                site.arity(1, 2);
                if (site.size() > 1) {
                    site.argument(1, Type.STRING);
                }
                yield Member.of(Type.STRING, (t, a, f) -> CSharpFormat.value(a[0], a.length > 1 ? (String) a[1] : null));
            }
            case "ToBase64String", "FromBase64String" -> throw site.error("'Convert." + site.name() + "' is not"
                    + " supported: expressions have no byte arrays");
            default -> throw unknown("Convert", site.name(), site.pos());
        };
    }

    private static Member math(CallSite site) {
        switch (site.name()) {
            case "Min", "Max" -> {
                site.arity(2, 2).arguments(0, Type.DOUBLE);
                Type type = Binder.promote(site.type(0), site.type(1));
                boolean min = site.name().equals("Min");
                return Member.of(type, (t, a, f) -> {
                    Object x = CSharp.widen(a[0], type);
                    Object y = CSharp.widen(a[1], type);
                    if (type == Type.DOUBLE) {
                        double l = (Double) x;
                        double r = (Double) y;
                        return min ? Math.min(l, r) : Math.max(l, r);
                    }
                    boolean less = CSharp.relational("<", x, y);
                    return min == less ? x : y;
                });
            }
            case "Abs" -> {
                site.arity(1, 1).argument(0, Type.DOUBLE);
                Type type = site.type(0);
                return Member.of(type, (t, a, f) -> switch (a[0]) {
                    case Integer i -> {
                        if (i == Integer.MIN_VALUE) {
                            throw new EvaluationError("OverflowException: negating the minimum value of Int32 is invalid");
                        }
                        yield Math.abs(i);
                    }
                    case Long l -> {
                        if (l == Long.MIN_VALUE) {
                            throw new EvaluationError("OverflowException: negating the minimum value of Int64 is invalid");
                        }
                        yield Math.abs(l);
                    }
                    default -> Math.abs(CSharp.doubleArg(a[0]));
                });
            }
            case "Floor", "Ceiling" -> {
                site.arity(1, 1).argument(0, Type.DOUBLE);
                boolean floor = site.name().equals("Floor");
                return Member.of(Type.DOUBLE, (t, a, f) -> floor ? Math.floor(CSharp.doubleArg(a[0]))
                        : Math.ceil(CSharp.doubleArg(a[0])));
            }
            case "Round" -> {
                site.arity(1, 2).argument(0, Type.DOUBLE);
                if (site.size() > 1) {
                    site.argument(1, Type.INT);
                }
                // C# rounds half to even by default.
                return Member.of(Type.DOUBLE, (t, a, f) -> {
                    double d = CSharp.doubleArg(a[0]);
                    if (a.length == 1 || Double.isNaN(d) || Double.isInfinite(d)) {
                        return Math.rint(d);
                    }
                    int digits = CSharp.intArg(a[1]);
                    if (digits < 0 || digits > 15) {
                        throw new EvaluationError("ArgumentOutOfRangeException: digits must be between 0 and 15");
                    }
                    return new BigDecimal(d).setScale(digits, RoundingMode.HALF_EVEN).doubleValue();
                });
            }
            case "Pow" -> {
                site.arity(2, 2).arguments(0, Type.DOUBLE);
                return Member.of(Type.DOUBLE, (t, a, f) -> Math.pow(CSharp.doubleArg(a[0]), CSharp.doubleArg(a[1])));
            }
            default -> throw unknown("Math", site.name(), site.pos());
        }
    }

    private static Member parse(CallSite site, Type type) {
        if (!site.name().equals("Parse")) {
            if (site.name().equals("TryParse")) {
                throw site.error("'" + type + ".TryParse' is not supported (no out arguments); use " + type + ".Parse");
            }
            throw unknown(type.toString(), site.name(), site.pos());
        }
        site.arity(1, 1).argument(0, Type.STRING);
        return switch (type) {
            case INT -> Member.of(type, (t, a, f) -> CSharp.parseInt((String) a[0]));
            case LONG -> Member.of(type, (t, a, f) -> CSharp.parseLong((String) a[0], "Int64"));
            case DOUBLE -> Member.of(type, (t, a, f) -> CSharp.parseDouble((String) a[0]));
            default -> Member.of(type, (t, a, f) -> CSharp.parseBool((String) a[0]));
        };
    }

    private static Member timeSpan(CallSite site) {
        double ticks = switch (site.name()) {
            case "FromMilliseconds" -> 10_000.0;
            case "FromSeconds" -> CSharp.TICKS_PER_SECOND;
            case "FromMinutes" -> CSharp.TICKS_PER_SECOND * 60.0;
            case "FromHours" -> CSharp.TICKS_PER_SECOND * 3600.0;
            case "FromDays" -> CSharp.TICKS_PER_SECOND * 86_400.0;
            default -> throw unknown("TimeSpan", site.name(), site.pos());
        };
        site.arity(1, 1).argument(0, Type.DOUBLE);
        return Member.of(Type.TIMESPAN, (t, a, f) -> {
            double value = Math.rint(CSharp.doubleArg(a[0]) * ticks);
            if (Double.isNaN(value) || Math.abs(value) > 9.2e18) {
                throw new EvaluationError("OverflowException: TimeSpan overflowed");
            }
            return Duration.ofNanos(0).plusSeconds((long) value / CSharp.TICKS_PER_SECOND)
                    .plusNanos((long) value % CSharp.TICKS_PER_SECOND * 100);
        });
    }
}
