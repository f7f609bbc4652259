package io.gatehouse.policy.expressions;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.UUID;

/**
 * C#'s format strings with the invariant culture: composite formatting ({@code string.Format}), standard and simple
 * custom numeric formats, and date and time formats.
 */
final class CSharpFormat {

    private CSharpFormat() {
    }

    /** {@code string.Format}: {@code {index[,alignment][:format]}}, with {@code {{} and {@code }}} escapes. */
    static String composite(String format, Object[] args) {
        if (format == null) {
            throw new EvaluationError("ArgumentNullException: format cannot be null");
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        int n = format.length();
        while (i < n) {
            char c = format.charAt(i);
            if (c == '{' && i + 1 < n && format.charAt(i + 1) == '{') {
                out.append('{');
                i += 2;
            } else if (c == '}' && i + 1 < n && format.charAt(i + 1) == '}') {
                out.append('}');
                i += 2;
            } else if (c == '}') {
                throw badFormat(format);
            } else if (c == '{') {
                int close = format.indexOf('}', i);
                if (close < 0) {
                    throw badFormat(format);
                }
                out.append(item(format, format.substring(i + 1, close), args));
                i = close + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static String item(String format, String spec, Object[] args) {
        String itemFormat = null;
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            itemFormat = spec.substring(colon + 1);
            spec = spec.substring(0, colon);
        }
        int alignment = 0;
        int comma = spec.indexOf(',');
        try {
            if (comma >= 0) {
                alignment = Integer.parseInt(spec.substring(comma + 1).strip());
                spec = spec.substring(0, comma);
            }
            int index = Integer.parseInt(spec.strip());
            if (index < 0 || index >= args.length) {
                throw new EvaluationError("FormatException: index {" + index + "} in format string '" + format
                                                  + "' is out of range: there are " + args.length + " arguments");
            }
            String text = value(args[index], itemFormat);
            if (Math.abs(alignment) > text.length()) {
                String pad = " ".repeat(Math.abs(alignment) - text.length());
                text = alignment > 0 ? pad + text : text + pad;
            }
            return text;
        } catch (NumberFormatException e) {
            throw new EvaluationError("FormatException: format string '" + format + "' is not valid", -1, e);
        }
    }

    private static EvaluationError badFormat(String format) {
        return new EvaluationError("FormatException: format string '" + format + "' is not valid");
    }

    /** {@code value.ToString(format)}; a null or empty format is the plain {@code ToString()}. */
    static String value(Object v, String format) {
        if (format == null || format.isEmpty()) {
            return CSharp.toText(v);
        }
        return switch (v) {
            case Integer i -> number(i, format);
            case Long l -> number(l, format);
            case Double d -> number(d, format);
            case Instant i -> dateTime(i, format);
            case UUID u -> guid(u, format);
            case Duration d -> {
                if (format.equals("c") || format.equals("t") || format.equals("T")) {
                    yield CSharp.formatTimeSpan(d);
                }
                throw unsupported(format, "TimeSpan");
            }
            default -> CSharp.toText(v);
        };
    }

    private static EvaluationError unsupported(String format, String type) {
        return new EvaluationError("FormatException: format '" + format + "' for " + type + " is not supported");
    }

    // ---- numbers

    static String number(Number n, String format) {
        char spec = format.charAt(0);
        String precisionText = format.substring(1);
        boolean standard = Character.isLetter(spec) && precisionText.chars().allMatch(Character::isDigit)
                && precisionText.length() <= 2;
        if (!standard) {
            return custom(n, format);
        }
        int precision = precisionText.isEmpty() ? -1 : Integer.parseInt(precisionText);
        boolean integral = !(n instanceof Double);
        return switch (spec) {
            case 'D', 'd' -> {
                if (!integral) {
                    throw new EvaluationError("FormatException: format 'D' is only for integers");
                }
                long v = n.longValue();
                String digits = String.valueOf(Math.abs(v)).replace("-", "");
                if (v == Long.MIN_VALUE) {
                    digits = "9223372036854775808";
                }
                String padded = "0".repeat(Math.max(0, precision - digits.length())) + digits;
                yield (v < 0 ? "-" : "") + padded;
            }
            case 'F', 'f' -> fixed(n, precision < 0 ? 2 : precision, false);
            case 'N', 'n' -> fixed(n, precision < 0 ? 2 : precision, true);
            case 'X', 'x' -> {
                if (!integral) {
                    throw new EvaluationError("FormatException: format 'X' is only for integers");
                }
                String hex = n instanceof Integer i ? Integer.toHexString(i) : Long.toHexString(n.longValue());
                hex = spec == 'X' ? hex.toUpperCase(Locale.ROOT) : hex;
                yield "0".repeat(Math.max(0, precision - hex.length())) + hex;
            }
            case 'G', 'g', 'R', 'r' -> {
                if (precision >= 0 && spec != 'R' && spec != 'r') {
                    throw unsupported(format, "numbers");
                }
                yield CSharp.toText(n);
            }
            default -> throw unsupported(format, "numbers");
        };
    }

    private static String fixed(Number n, int precision, boolean grouped) {
        if (n instanceof Double d && (d.isNaN() || d.isInfinite())) {
            return CSharp.toText(d);
        }
        BigDecimal value = n instanceof Double d ? new BigDecimal(d) : BigDecimal.valueOf(n.longValue());
        value = value.setScale(precision, RoundingMode.HALF_UP);
        if (!grouped) {
            return value.toPlainString();
        }
        String plain = value.abs().toPlainString();
        int dot = plain.indexOf('.');
        String whole = dot < 0 ? plain : plain.substring(0, dot);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < whole.length(); i++) {
            if (i > 0 && (whole.length() - i) % 3 == 0) {
                sb.append(',');
            }
            sb.append(whole.charAt(i));
        }
        return (value.signum() < 0 ? "-" : "") + sb + (dot < 0 ? "" : plain.substring(dot));
    }

    /** Custom numeric formats made of {@code 0 # , .} (such as {@code 0.00} or {@code #,##0}). */
    private static String custom(Number n, String format) {
        if (!format.matches("[0#,.]+") || format.indexOf('.') != format.lastIndexOf('.')) {
            throw unsupported(format, "numbers");
        }
        DecimalFormat df = new DecimalFormat(format, DecimalFormatSymbols.getInstance(Locale.ROOT));
        df.setRoundingMode(RoundingMode.HALF_UP);
        return n instanceof Double d ? df.format(d.doubleValue()) : df.format(n.longValue());
    }

    // ---- GUIDs

    private static String guid(UUID u, String format) {
        String d = u.toString();
        return switch (format) {
            case "D", "d" -> d;
            case "N", "n" -> d.replace("-", "");
            case "B", "b" -> "{" + d + "}";
            case "P", "p" -> "(" + d + ")";
            default -> throw unsupported(format, "Guid");
        };
    }

    // ---- dates

    /** {@code DateTime.ToString(format)} for a UTC date, with the invariant culture. */
    static String dateTime(Instant instant, String format) {
        if (format.length() == 1) {
            String pattern = switch (format.charAt(0)) {
                case 'o', 'O' -> "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK";
                case 's' -> "yyyy'-'MM'-'dd'T'HH':'mm':'ss";
                case 'u' -> "yyyy'-'MM'-'dd HH':'mm':'ss'Z'";
                case 'r', 'R' -> "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'";
                case 'd' -> "MM/dd/yyyy";
                case 'D' -> "dddd, dd MMMM yyyy";
                case 't' -> "HH:mm";
                case 'T' -> "HH:mm:ss";
                case 'f' -> "dddd, dd MMMM yyyy HH:mm";
                case 'F' -> "dddd, dd MMMM yyyy HH:mm:ss";
                case 'g' -> "MM/dd/yyyy HH:mm";
                case 'G' -> "MM/dd/yyyy HH:mm:ss";
                case 'M', 'm' -> "MMMM dd";
                case 'Y', 'y' -> "yyyy MMMM";
                default -> throw unsupported(format, "DateTime");
            };
            return customDate(instant, pattern);
        }
        return customDate(instant, format);
    }

    private static String customDate(Instant instant, String format) {
        ZonedDateTime t = instant.atZone(ZoneOffset.UTC);
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            int run = 1;
            while (i + run < format.length() && format.charAt(i + run) == c) {
                run++;
            }
            switch (c) {
                case 'y' -> out.append(run == 1 ? String.valueOf(t.getYear() % 100)
                        : pad(run == 2 ? t.getYear() % 100 : t.getYear(), run));
                case 'M' -> out.append(run <= 2 ? pad(t.getMonthValue(), run)
                        : t.getMonth().getDisplayName(run == 3 ? TextStyle.SHORT : TextStyle.FULL, Locale.ENGLISH));
                case 'd' -> out.append(run <= 2 ? pad(t.getDayOfMonth(), run)
                        : t.getDayOfWeek().getDisplayName(run == 3 ? TextStyle.SHORT : TextStyle.FULL, Locale.ENGLISH));
                case 'H' -> out.append(pad(t.getHour(), Math.min(run, 2)));
                case 'h' -> out.append(pad(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, Math.min(run, 2)));
                case 'm' -> out.append(pad(t.getMinute(), Math.min(run, 2)));
                case 's' -> out.append(pad(t.getSecond(), Math.min(run, 2)));
                case 'f', 'F' -> {
                    if (run > 7) {
                        throw unsupported(format, "DateTime");
                    }
                    String digits = String.format(Locale.ROOT, "%09d", t.getNano()).substring(0, run);
                    if (c == 'F') {
                        digits = digits.replaceAll("0+$", "");
                        if (digits.isEmpty() && out.length() > 0 && out.charAt(out.length() - 1) == '.') {
                            out.setLength(out.length() - 1);
                        }
                    }
                    out.append(digits);
                }
                case 't' -> out.append((t.getHour() < 12 ? "AM" : "PM").substring(0, Math.min(run, 2)));
                case 'K' -> out.append("Z");
                case 'z' -> out.append(run == 1 ? "+0" : run == 2 ? "+00" : "+00:00");
                case 'g' -> out.append("A.D.");
                case '\'', '"' -> {
                    int close = format.indexOf(c, i + 1);
                    if (close < 0) {
                        throw new EvaluationError("FormatException: unterminated quote in format '" + format + "'");
                    }
                    out.append(format, i + 1, close);
                    run = close - i + 1;
                }
                case '\\' -> {
                    if (i + 1 < format.length()) {
                        out.append(format.charAt(i + 1));
                    }
                    run = 2;
                }
                case '%' -> run = 1;
                default -> out.append(String.valueOf(c).repeat(run));
            }
            i += run;
        }
        return out.toString();
    }

    private static String pad(int value, int width) {
        String s = String.valueOf(value);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
