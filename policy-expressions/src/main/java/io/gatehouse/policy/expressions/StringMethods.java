package io.gatehouse.policy.expressions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.gatehouse.policy.spi.Jwt;

/**
 * The instance methods of {@code string}, and APIM's extension method {@code AsJwt()}. Characters are one-character
 * strings here, so {@code Split(',')} and {@code Split(",")} are the same call. Culture-sensitive comparisons are
 * ordinal.
 */
final class StringMethods {

    private static final String BEARER = "Bearer";

    private StringMethods() {
    }

    static Member method(CallSite site) {
        return switch (site.name()) {
            case "StartsWith", "EndsWith", "Contains", "Equals" -> {
                site.arity(1, 2).argument(0, Type.STRING);
                if (site.size() > 1) {
                    site.argument(1, Type.STRING_COMPARISON);
                }
                String name = site.name();
                yield Member.of(Type.BOOL, (t, a, f) -> test(name, (String) t, (String) a[0], ignoreCase(a, 1)));
            }
            case "ToLower", "ToLowerInvariant" -> {
                site.arity(0, 0);
                yield Member.of(Type.STRING, (t, a, f) -> ((String) t).toLowerCase(Locale.ROOT));
            }
            case "ToUpper", "ToUpperInvariant" -> {
                site.arity(0, 0);
                yield Member.of(Type.STRING, (t, a, f) -> ((String) t).toUpperCase(Locale.ROOT));
            }
            case "Trim", "TrimStart", "TrimEnd" -> {
                site.arity(0, Integer.MAX_VALUE).arguments(0, Type.STRING);
                boolean start = !site.name().equals("TrimEnd");
                boolean end = !site.name().equals("TrimStart");
                yield Member.of(Type.STRING, (t, a, f) -> trim((String) t, a, start, end));
            }
            case "Substring" -> {
                site.arity(1, 2).arguments(0, Type.INT);
                yield Member.of(Type.STRING, (t, a, f) -> substring((String) t, a));
            }
            case "Split" -> split(site);
            case "Replace" -> {
                site.arity(2, 3).argument(0, Type.STRING).argument(1, Type.STRING);
                if (site.size() > 2) {
                    site.argument(2, Type.STRING_COMPARISON);
                }
                yield Member.of(Type.STRING, (t, a, f) -> replace((String) t, (String) a[0], (String) a[1],
                                                                  ignoreCase(a, 2)));
            }
            case "IndexOf" -> indexOf(site);
            case "LastIndexOf" -> {
                site.arity(1, 1).argument(0, Type.STRING);
                yield Member.of(Type.INT, (t, a, f) -> ((String) t).lastIndexOf(notNull(a[0], "value")));
            }
            case "PadLeft", "PadRight" -> {
                site.arity(1, 2).argument(0, Type.INT);
                if (site.size() > 1) {
                    site.argument(1, Type.STRING);
                }
                boolean left = site.name().equals("PadLeft");
                yield Member.of(Type.STRING, (t, a, f) -> pad((String) t, a, left));
            }
            case "AsJwt" -> {
                site.arity(0, 0);
                yield Member.extension(Type.JWT, (t, a, f) -> asJwt((String) t));
            }
            case "TryParseJwt" -> throw site.error("'string.TryParseJwt' is not supported (no out arguments); use"
                                                           + " AsJwt() and compare with null");
            default -> throw ValueMembers.unknownMethod(Type.STRING, site);
        };
    }

    /**
     * APIM's {@code AsJwt()}, an extension method: the token, unverified, or null for null and for text that is not
     * a readable JWT. As APIM documents its input as a JWT header value, an {@code Authorization} value
     * {@code Bearer <token>} is read too.
     */
    private static Jwt asJwt(String s) {
        if (s == null) {
            return null;
        }
        String token = s.strip();
        if (token.regionMatches(true, 0, BEARER, 0, BEARER.length()) && token.length() > BEARER.length()
                && CSharp.isWhiteSpace(token.charAt(BEARER.length()))) {
            token = token.substring(BEARER.length()).strip();
        }
        return Jwts.parse(token).orElse(null);
    }

    private static boolean ignoreCase(Object[] args, int index) {
        return args.length > index && ((StringComparison) args[index]).ignoreCase();
    }

    static String notNull(Object v, String parameter) {
        if (v == null) {
            throw new EvaluationError("ArgumentNullException: value cannot be null (parameter '" + parameter + "')");
        }
        return (String) v;
    }

    private static boolean test(String name, String s, String value, boolean ignoreCase) {
        if (name.equals("Equals")) {
            return value != null && (ignoreCase ? s.equalsIgnoreCase(value) : s.equals(value));
        }
        String v = notNull(value, "value");
        return switch (name) {
            case "StartsWith" -> s.regionMatches(ignoreCase, 0, v, 0, v.length());
            case "EndsWith" -> s.length() >= v.length() && s.regionMatches(ignoreCase, s.length() - v.length(), v, 0,
                                                                             v.length());
            default -> indexOf(s, v, 0, ignoreCase) >= 0;
        };
    }

    static int indexOf(String s, String v, int from, boolean ignoreCase) {
        if (!ignoreCase) {
            return s.indexOf(v, from);
        }
        for (int i = from; i + v.length() <= s.length(); i++) {
            if (s.regionMatches(true, i, v, 0, v.length())) {
                return i;
            }
        }
        return -1;
    }

    private static Member indexOf(CallSite site) {
        site.arity(1, 3).argument(0, Type.STRING);
        int startIndex = -1;
        int comparison = -1;
        if (site.size() > 1) {
            site.argument(1, Type.INT, Type.STRING_COMPARISON);
            if (site.type(1) == Type.STRING_COMPARISON) {
                comparison = 1;
                if (site.size() > 2) {
                    throw site.error("'string.IndexOf' takes the comparison last");
                }
            } else {
                startIndex = 1;
            }
        }
        if (site.size() > 2) {
            site.argument(2, Type.STRING_COMPARISON);
            comparison = 2;
        }
        int start = startIndex;
        int cmp = comparison;
        return Member.of(Type.INT, (t, a, f) -> {
            String s = (String) t;
            int from = start < 0 ? 0 : CSharp.intArg(a[start]);
            if (from < 0 || from > s.length()) {
                throw new EvaluationError("ArgumentOutOfRangeException: startIndex " + from + " is outside the string"
                                                  + " (length " + s.length() + ")");
            }
            return indexOf(s, notNull(a[0], "value"), from, cmp >= 0 && ((StringComparison) a[cmp]).ignoreCase());
        });
    }

    private static String trim(String s, Object[] chars, boolean start, boolean end) {
        StringBuilder set = new StringBuilder();
        for (Object c : chars) {
            if (c != null) {
                set.append((String) c);
            }
        }
        int from = 0;
        int to = s.length();
        while (start && from < to && trims(s.charAt(from), set)) {
            from++;
        }
        while (end && to > from && trims(s.charAt(to - 1), set)) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean trims(char c, CharSequence set) {
        return set.isEmpty() ? CSharp.isWhiteSpace(c) : set.toString().indexOf(c) >= 0;
    }

    private static String substring(String s, Object[] a) {
        int start = CSharp.intArg(a[0]);
        if (start < 0 || start > s.length()) {
            throw new EvaluationError("ArgumentOutOfRangeException: startIndex " + start + " is outside the string"
                                              + " (length " + s.length() + ")");
        }
        int length = a.length > 1 ? CSharp.intArg(a[1]) : s.length() - start;
        if (length < 0 || start + length > s.length()) {
            throw new EvaluationError("ArgumentOutOfRangeException: Substring(" + start + ", " + length + ") is outside"
                                              + " the string (length " + s.length() + ")");
        }
        return s.substring(start, start + length);
    }

    private static Member split(CallSite site) {
        int separators = site.size();
        if (separators > 0 && site.type(separators - 1) == Type.SPLIT_OPTIONS) {
            separators--;
            if (separators == 0) {
                throw site.error("'string.Split' needs a separator before the options");
            }
        }
        site.arity(0, Integer.MAX_VALUE).arguments(0, Type.STRING, Type.STRING_ARRAY, Type.SPLIT_OPTIONS);
        for (int i = 0; i < separators; i++) {
            site.argument(i, Type.STRING, Type.STRING_ARRAY);
        }
        int count = separators;
        return Member.of(Type.STRING_ARRAY, (t, a, f) -> {
            List<String> seps = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                if (a[i] instanceof String[] array) {
                    seps.addAll(Arrays.asList(array));
                } else {
                    seps.add((String) a[i]);
                }
            }
            SplitOptions options = count < a.length ? (SplitOptions) a[count] : SplitOptions.NONE;
            return ValueMembers.split((String) t, seps, options);
        });
    }

    private static String replace(String s, String oldValue, String newValue, boolean ignoreCase) {
        String old = notNull(oldValue, "oldValue");
        if (old.isEmpty()) {
            throw new EvaluationError("ArgumentException: the string to replace cannot be empty");
        }
        String replacement = newValue == null ? "" : newValue;
        if (!ignoreCase) {
            return s.replace(old, replacement);
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (true) {
            int at = indexOf(s, old, i, true);
            if (at < 0) {
                return sb.append(s, i, s.length()).toString();
            }
            sb.append(s, i, at).append(replacement);
            i = at + old.length();
        }
    }

    private static String pad(String s, Object[] a, boolean left) {
        int width = CSharp.intArg(a[0]);
        if (width < 0) {
            throw new EvaluationError("ArgumentOutOfRangeException: totalWidth cannot be negative");
        }
        String padding = a.length > 1 ? notNull(a[1], "paddingChar") : " ";
        if (padding.length() != 1) {
            throw new EvaluationError("ArgumentException: the padding must be one character");
        }
        if (s.length() >= width) {
            return s;
        }
        String fill = padding.repeat(width - s.length());
        return left ? fill + s : s + fill;
    }
}
