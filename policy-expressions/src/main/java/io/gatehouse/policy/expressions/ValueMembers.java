package io.gatehouse.policy.expressions;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import io.gatehouse.policy.spi.Jwt;

/**
 * The members of values: strings, string arrays, numbers, booleans, {@code DateTime}, {@code TimeSpan}, {@code Guid},
 * {@code Jwt}.
 */
final class ValueMembers {

    private ValueMembers() {
    }

    static Member property(Type type, String name, int pos) {
        return switch (type) {
            case STRING -> switch (name) {
                case "Length" -> Member.property(Type.INT, t -> ((String) t).length());
                default -> throw ContextMembers.unknown(type, name, pos);
            };
            case STRING_ARRAY -> switch (name) {
                case "Length" -> Member.property(Type.INT, t -> ((String[]) t).length);
                default -> throw ContextMembers.unknown(type, name, pos);
            };
            case TIMESPAN -> timeSpan(name, pos);
            case DATETIME -> dateTime(name, pos);
            case JWT -> jwt(name, pos);
            default -> throw ContextMembers.unknown(type, name, pos);
        };
    }

    /** APIM's {@code Jwt}. The dates are null when the token lacks the claim (nullable types are not modelled). */
    private static Member jwt(String name, int pos) {
        return switch (name) {
            case "Algorithm" -> Member.property(Type.STRING, t -> ((Jwt) t).algorithm());
            case "Type" -> Member.property(Type.STRING, t -> ((Jwt) t).type().orElse(null));
            case "Id" -> Member.property(Type.STRING, t -> ((Jwt) t).id().orElse(null));
            case "Issuer" -> Member.property(Type.STRING, t -> ((Jwt) t).issuer().orElse(null));
            case "Subject" -> Member.property(Type.STRING, t -> ((Jwt) t).subject().orElse(null));
            case "Audiences" -> Member.property(Type.STRING_ARRAY, t -> ((Jwt) t).audiences().toArray(new String[0]));
            case "ExpirationTime" -> Member.property(Type.DATETIME, t -> ((Jwt) t).expirationTime().orElse(null));
            case "NotBefore" -> Member.property(Type.DATETIME, t -> ((Jwt) t).notBefore().orElse(null));
            case "IssuedAt" -> Member.property(Type.DATETIME, t -> ((Jwt) t).issuedAt().orElse(null));
            case "Claims" -> Member.property(Type.NAME_VALUES, t -> new ClaimsView((Jwt) t));
            default -> throw ContextMembers.unknown(Type.JWT, name, pos);
        };
    }

    private static Member timeSpan(String name, int pos) {
        return switch (name) {
            case "TotalMilliseconds" -> totals(10_000.0);
            case "TotalSeconds" -> totals(CSharp.TICKS_PER_SECOND);
            case "TotalMinutes" -> totals(CSharp.TICKS_PER_SECOND * 60.0);
            case "TotalHours" -> totals(CSharp.TICKS_PER_SECOND * 3600.0);
            case "TotalDays" -> totals(CSharp.TICKS_PER_SECOND * 86_400.0);
            case "Ticks" -> Member.property(Type.LONG, t -> CSharp.ticks((Duration) t));
            case "Days" -> Member.property(Type.INT, t -> (int) ((Duration) t).toDays());
            case "Hours" -> Member.property(Type.INT, t -> ((Duration) t).toHoursPart());
            case "Minutes" -> Member.property(Type.INT, t -> ((Duration) t).toMinutesPart());
            case "Seconds" -> Member.property(Type.INT, t -> ((Duration) t).toSecondsPart());
            case "Milliseconds" -> Member.property(Type.INT, t -> ((Duration) t).toMillisPart());
            default -> throw ContextMembers.unknown(Type.TIMESPAN, name, pos);
        };
    }

    private static Member totals(double ticksPerUnit) {
        return Member.property(Type.DOUBLE, t -> CSharp.ticks((Duration) t) / ticksPerUnit);
    }

    private static Member dateTime(String name, int pos) {
        return switch (name) {
            case "Year" -> Member.property(Type.INT, t -> utc(t).getYear());
            case "Month" -> Member.property(Type.INT, t -> utc(t).getMonthValue());
            case "Day" -> Member.property(Type.INT, t -> utc(t).getDayOfMonth());
            case "Hour" -> Member.property(Type.INT, t -> utc(t).getHour());
            case "Minute" -> Member.property(Type.INT, t -> utc(t).getMinute());
            case "Second" -> Member.property(Type.INT, t -> utc(t).getSecond());
            case "Millisecond" -> Member.property(Type.INT, t -> utc(t).getNano() / 1_000_000);
            case "DayOfYear" -> Member.property(Type.INT, t -> utc(t).getDayOfYear());
            case "DayOfWeek" -> Member.property(Type.STRING,
                                                t -> utc(t).getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
            case "Ticks" -> Member.property(Type.LONG, t -> CSharp.ticks((Instant) t));
            case "Date" -> Member.property(Type.DATETIME, t -> ((Instant) t).truncatedTo(ChronoUnit.DAYS));
            default -> throw ContextMembers.unknown(Type.DATETIME, name, pos);
        };
    }

    private static ZonedDateTime utc(Object instant) {
        return ((Instant) instant).atZone(ZoneOffset.UTC);
    }

    // ---- methods

    static Member method(Type type, CallSite site) {
        switch (site.name()) {
            case "ToString" -> {
                return toStringMethod(type, site);
            }
            case "Equals" -> {
                if (type != Type.STRING) {
                    site.arity(1, 1);
                    // As C#'s Equals(object): values of different types are not equal (5.Equals(5L) is false).
                    return Member.of(Type.BOOL, (t, a, f) -> Objects.equals(t, a[0]));
                }
            }
            case "GetType", "GetHashCode" -> throw site.error("'" + site.name() + "' is not supported");
            default -> {
                // resolved below
            }
        }
        return switch (type) {
            case STRING -> StringMethods.method(site);
            case STRING_ARRAY -> arrayMethod(site);
            case DATETIME -> dateTimeMethod(site);
            case TIMESPAN -> timeSpanMethod(site);
            default -> throw unknownMethod(type, site);
        };
    }

    private static Member timeSpanMethod(CallSite site) {
        return switch (site.name()) {
            case "Add", "Subtract" -> {
                site.arity(1, 1).argument(0, Type.TIMESPAN);
                boolean add = site.name().equals("Add");
                yield Member.of(Type.TIMESPAN, (t, a, f) -> add ? ((Duration) t).plus((Duration) a[0])
                        : ((Duration) t).minus((Duration) a[0]));
            }
            case "Negate" -> {
                site.arity(0, 0);
                yield Member.of(Type.TIMESPAN, (t, a, f) -> ((Duration) t).negated());
            }
            case "Duration" -> {
                site.arity(0, 0);
                yield Member.of(Type.TIMESPAN, (t, a, f) -> ((Duration) t).abs());
            }
            default -> throw unknownMethod(Type.TIMESPAN, site);
        };
    }

    static CompileError unknownMethod(Type type, CallSite site) {
        try {
            property(type, site.name(), site.pos());
        } catch (CompileError notAProperty) {
            return ContextMembers.unknown(type, site.name(), site.pos());
        }
        return site.error("'" + site.name() + "' is a property of '" + type + "', not a method");
    }

    private static Member toStringMethod(Type type, CallSite site) {
        switch (type) {
            case INT, LONG, DOUBLE, DATETIME, GUID, TIMESPAN -> {
                site.arity(0, 1).arguments(0, Type.STRING);
                return Member.of(Type.STRING, (t, a, f) -> CSharpFormat.value(t, a.length > 0 ? (String) a[0] : null));
            }
            default -> {
                site.arity(0, 0);
                return Member.of(Type.STRING, (t, a, f) -> CSharp.toText(t));
            }
        }
    }

    private static Member arrayMethod(CallSite site) {
        switch (site.name()) {
            case "First", "Last" -> {
                site.arity(0, 0);
                boolean first = site.name().equals("First");
                return Member.of(Type.STRING, (t, a, f) -> {
                    String[] array = (String[]) t;
                    if (array.length == 0) {
                        throw new EvaluationError("InvalidOperationException: sequence contains no elements");
                    }
                    return first ? array[0] : array[array.length - 1];
                });
            }
            case "FirstOrDefault", "LastOrDefault" -> {
                site.arity(0, 0);
                boolean first = site.name().equals("FirstOrDefault");
                return Member.of(Type.STRING, (t, a, f) -> {
                    String[] array = (String[]) t;
                    return array.length == 0 ? null : first ? array[0] : array[array.length - 1];
                });
            }
            case "Contains" -> {
                site.arity(1, 1).argument(0, Type.STRING);
                return Member.of(Type.BOOL, (t, a, f) -> Arrays.asList((String[]) t).contains(a[0]));
            }
            default -> throw unknownMethod(Type.STRING_ARRAY, site);
        }
    }

    private static Member dateTimeMethod(CallSite site) {
        double ticks = switch (site.name()) {
            case "AddMilliseconds" -> 10_000.0;
            case "AddSeconds" -> CSharp.TICKS_PER_SECOND;
            case "AddMinutes" -> CSharp.TICKS_PER_SECOND * 60.0;
            case "AddHours" -> CSharp.TICKS_PER_SECOND * 3600.0;
            case "AddDays" -> CSharp.TICKS_PER_SECOND * 86_400.0;
            default -> 0;
        };
        if (ticks > 0) {
            site.arity(1, 1).argument(0, Type.DOUBLE);
            return Member.of(Type.DATETIME, (t, a, f) -> {
                double delta = Math.rint(CSharp.doubleArg(a[0]) * ticks);
                if (Double.isNaN(delta) || Math.abs(delta) > 3.2e18) {
                    throw new EvaluationError("ArgumentOutOfRangeException: the added value is out of range");
                }
                return ((Instant) t).plusNanos((long) delta * 100);
            });
        }
        return switch (site.name()) {
            case "AddMonths", "AddYears" -> {
                site.arity(1, 1).argument(0, Type.INT);
                boolean months = site.name().equals("AddMonths");
                yield Member.of(Type.DATETIME, (t, a, f) -> {
                    ZonedDateTime z = utc(t);
                    int n = CSharp.intArg(a[0]);
                    return (months ? z.plusMonths(n) : z.plusYears(n)).toInstant();
                });
            }
            case "Add" -> {
                site.arity(1, 1).argument(0, Type.TIMESPAN);
                yield Member.of(Type.DATETIME, (t, a, f) -> ((Instant) t).plus((Duration) a[0]));
            }
            case "Subtract" -> {
                site.arity(1, 1).argument(0, Type.DATETIME, Type.TIMESPAN);
                if (site.type(0) == Type.DATETIME) {
                    yield Member.of(Type.TIMESPAN, (t, a, f) -> Duration.between((Instant) a[0], (Instant) t));
                }
                yield Member.of(Type.DATETIME, (t, a, f) -> ((Instant) t).minus((Duration) a[0]));
            }
            case "ToUniversalTime" -> {
                site.arity(0, 0);
                yield Member.of(Type.DATETIME, (t, a, f) -> t);
            }
            default -> throw unknownMethod(Type.DATETIME, site);
        };
    }

    // ---- indexers

    static Member indexer(Type type, Type argType, int pos) {
        if (!Type.assignable(argType, Type.INT)) {
            throw new CompileError("the index of '" + type + "' must be an int, not " + argType, pos);
        }
        return switch (type) {
            case STRING -> Member.of(Type.STRING, (t, a, f) -> {
                String s = (String) t;
                int i = CSharp.intArg(a[0]);
                if (i < 0 || i >= s.length()) {
                    throw outOfRange(i, s.length());
                }
                return String.valueOf(s.charAt(i));
            });
            case STRING_ARRAY -> Member.of(Type.STRING, (t, a, f) -> {
                String[] array = (String[]) t;
                int i = CSharp.intArg(a[0]);
                if (i < 0 || i >= array.length) {
                    throw outOfRange(i, array.length);
                }
                return array[i];
            });
            default -> throw new CompileError("'" + type + "' cannot be indexed", pos);
        };
    }

    private static EvaluationError outOfRange(int index, int length) {
        return new EvaluationError("IndexOutOfRangeException: index " + index + " is outside the bounds of the array"
                                           + " (length " + length + ")");
    }

    /** Splits as C#'s {@code String.Split}: empty entries kept unless removed, trailing ones too. */
    static String[] split(String s, List<String> separators, SplitOptions options) {
        List<String> seps = separators.stream().filter(x -> x != null && !x.isEmpty()).toList();
        boolean whiteSpace = separators.isEmpty();
        List<String> parts = new ArrayList<>();
        int start = 0;
        int i = 0;
        if (whiteSpace || !seps.isEmpty()) {
            while (i < s.length()) {
                int matched = 0;
                if (whiteSpace) {
                    matched = CSharp.isWhiteSpace(s.charAt(i)) ? 1 : 0;
                } else {
                    for (String sep : seps) {
                        if (s.startsWith(sep, i)) {
                            matched = sep.length();
                            break;
                        }
                    }
                }
                if (matched > 0) {
                    parts.add(s.substring(start, i));
                    i += matched;
                    start = i;
                } else {
                    i++;
                }
            }
        }
        parts.add(s.substring(start));
        List<String> result = new ArrayList<>();
        for (String p : parts) {
            String part = options == SplitOptions.TRIM_ENTRIES ? p.strip() : p;
            if (options != SplitOptions.REMOVE_EMPTY_ENTRIES || !part.isEmpty()) {
                result.add(part);
            }
        }
        return result.toArray(new String[0]);
    }
}
