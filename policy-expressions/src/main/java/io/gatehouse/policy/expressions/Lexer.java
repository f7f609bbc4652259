package io.gatehouse.policy.expressions;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits C# expression text into tokens. Offsets are kept relative to the whole expression text so that tokens of an
 * interpolated string's holes, lexed later by their own lexer, report positions in the same coordinates.
 */
final class Lexer {

    /** Longest first, so {@code ??=} wins over {@code ??} and {@code ?}. */
    private static final String[] PUNCTUATION = {
        "??=", "?.", "??", "=>", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "++", "--",
        "(", ")", "{", "}", "[", "]", ".", ",", ";", ":", "?", "!", "<", ">", "=", "+", "-", "*", "/", "%",
        "&", "|", "^", "~",
    };

    private final String src;
    private final int end;
    private int pos;

    Lexer(String src, int start, int end) {
        this.src = src;
        this.pos = start;
        this.end = end;
    }

    List<Token> tokens() {
        List<Token> tokens = new ArrayList<>();
        while (true) {
            skipTrivia();
            if (pos >= end) {
                tokens.add(new Token(Token.Kind.END, "", null, end, end));
                return tokens;
            }
            tokens.add(next());
        }
    }

    private void skipTrivia() {
        while (pos < end) {
            char c = src.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '/' && peek(1) == '/') {
                while (pos < end && src.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (c == '/' && peek(1) == '*') {
                int close = src.indexOf("*/", pos + 2);
                if (close < 0 || close + 2 > end) {
                    throw new CompileError("unterminated comment", pos);
                }
                pos = close + 2;
            } else {
                return;
            }
        }
    }

    private char peek(int ahead) {
        int i = pos + ahead;
        return i < end ? src.charAt(i) : '\0';
    }

    private Token next() {
        int start = pos;
        char c = src.charAt(pos);
        if (c == '"') {
            pos++;
            return token(Token.Kind.STRING, start, regularString(start));
        }
        if (c == '\'') {
            return character(start);
        }
        if (c == '@' && peek(1) == '"') {
            pos += 2;
            return token(Token.Kind.STRING, start, verbatimString(start));
        }
        if ((c == '$' && peek(1) == '"') || (c == '$' && peek(1) == '@' && peek(2) == '"')
                || (c == '@' && peek(1) == '$' && peek(2) == '"')) {
            boolean verbatim = c == '@' || peek(1) == '@';
            pos += verbatim ? 3 : 2;
            return token(Token.Kind.INTERPOLATED, start, interpolated(start, verbatim));
        }
        if (Character.isDigit(c) || (c == '.' && Character.isDigit(peek(1)))) {
            return number(start);
        }
        if (Character.isLetter(c) || c == '_') {
            while (pos < end && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                pos++;
            }
            return token(Token.Kind.IDENTIFIER, start, null);
        }
        for (String p : PUNCTUATION) {
            if (src.startsWith(p, pos) && pos + p.length() <= end) {
                // "a ? .5 : 1" is a conditional, not a null-conditional access
                if (p.equals("?.") && Character.isDigit(peek(2))) {
                    continue;
                }
                pos += p.length();
                return token(Token.Kind.PUNCTUATION, start, null);
            }
        }
        throw new CompileError("unexpected character '" + c + "'", start);
    }

    private Token token(Token.Kind kind, int start, Object value) {
        return new Token(kind, src.substring(start, pos), value, start, pos);
    }

    private String regularString(int start) {
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= end || src.charAt(pos) == '\n') {
                throw new CompileError("unterminated string literal", start);
            }
            char c = src.charAt(pos);
            if (c == '"') {
                pos++;
                return sb.toString();
            }
            if (c == '\\') {
                escape(sb);
            } else {
                sb.append(c);
                pos++;
            }
        }
    }

    private String verbatimString(int start) {
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= end) {
                throw new CompileError("unterminated string literal", start);
            }
            char c = src.charAt(pos);
            if (c == '"') {
                if (peek(1) == '"') {
                    sb.append('"');
                    pos += 2;
                    continue;
                }
                pos++;
                return sb.toString();
            }
            sb.append(c);
            pos++;
        }
    }

    private Token character(int start) {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < end && src.charAt(pos) != '\'' && src.charAt(pos) != '\n') {
            if (src.charAt(pos) == '\\') {
                escape(sb);
            } else {
                sb.append(src.charAt(pos++));
            }
        }
        if (pos >= end || src.charAt(pos) != '\'') {
            throw new CompileError("unterminated character literal", start);
        }
        pos++;
        if (sb.isEmpty()) {
            throw new CompileError("empty character literal", start);
        }
        if (sb.codePointCount(0, sb.length()) > 1) {
            throw new CompileError("too many characters in character literal", start);
        }
        return token(Token.Kind.STRING, start, sb.toString());
    }

    /** Reads one escape sequence at {@code pos} (which is at the backslash) into {@code sb}. */
    private void escape(StringBuilder sb) {
        int start = pos;
        char e = peek(1);
        pos += 2;
        switch (e) {
            case '\'' -> sb.append('\'');
            case '"' -> sb.append('"');
            case '\\' -> sb.append('\\');
            case '0' -> sb.append('\0');
            case 'a' -> sb.append('\u0007');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'v' -> sb.append('\u000B');
            case 'u' -> sb.append((char) hex(start, 4, 4));
            case 'x' -> sb.append((char) hex(start, 1, 4));
            case 'U' -> sb.appendCodePoint(codePoint(start, hex(start, 8, 8)));
            default -> throw new CompileError("unrecognized escape sequence '\\" + e + "'", start);
        }
    }

    private static int codePoint(int start, int value) {
        if (!Character.isValidCodePoint(value)) {
            throw new CompileError("invalid code point in escape sequence", start);
        }
        return value;
    }

    private int hex(int start, int min, int max) {
        int value = 0;
        int n = 0;
        while (n < max && pos < end && Character.digit(src.charAt(pos), 16) >= 0) {
            value = value * 16 + Character.digit(src.charAt(pos), 16);
            pos++;
            n++;
        }
        if (n < min) {
            throw new CompileError("invalid hexadecimal escape sequence", start);
        }
        return value;
    }

    private List<Object> interpolated(int start, boolean verbatim) {
        List<Object> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        while (true) {
            if (pos >= end || (!verbatim && src.charAt(pos) == '\n')) {
                throw new CompileError("unterminated interpolated string", start);
            }
            char c = src.charAt(pos);
            if (c == '"') {
                if (verbatim && peek(1) == '"') {
                    text.append('"');
                    pos += 2;
                    continue;
                }
                pos++;
                if (!text.isEmpty()) {
                    parts.add(text.toString());
                }
                return parts;
            }
            if (c == '\\' && !verbatim) {
                escape(text);
            } else if (c == '{' && peek(1) == '{') {
                text.append('{');
                pos += 2;
            } else if (c == '}' && peek(1) == '}') {
                text.append('}');
                pos += 2;
            } else if (c == '}') {
                throw new CompileError("'}' in an interpolated string must be doubled: '}}'", pos);
            } else if (c == '{') {
                if (!text.isEmpty()) {
                    parts.add(text.toString());
                    text.setLength(0);
                }
                parts.add(hole());
            } else {
                text.append(c);
                pos++;
            }
        }
    }

    /** Scans one hole, {@code pos} at its opening brace; leaves {@code pos} after the closing brace. */
    private Token.Hole hole() {
        int open = pos;
        pos++;
        int holeStart = pos;
        int depth = 0;
        while (pos < end) {
            char c = src.charAt(pos);
            switch (c) {
                case '"' -> skipNestedString();
                case '\'' -> character(pos);
                case '(', '[', '{' -> {
                    depth++;
                    pos++;
                }
                case ')', ']' -> {
                    depth--;
                    pos++;
                }
                case '}' -> {
                    if (depth == 0) {
                        if (pos == holeStart || src.substring(holeStart, pos).isBlank()) {
                            throw new CompileError("empty expression in interpolated string", open);
                        }
                        pos++;
                        return new Token.Hole(holeStart, pos - 1);
                    }
                    depth--;
                    pos++;
                }
                case ':', ',' -> {
                    if (depth == 0) {
                        throw new CompileError("format and alignment specifiers in interpolated strings are not"
                                + " supported; use ToString(format) in the hole", pos);
                    }
                    pos++;
                }
                default -> pos++;
            }
        }
        throw new CompileError("unterminated interpolated string hole", open);
    }

    private void skipNestedString() {
        int start = pos;
        if (pos > 0 && src.charAt(pos - 1) == '@') {
            pos++;
            verbatimString(start);
        } else {
            pos++;
            regularString(start);
        }
    }

    private Token number(int start) {
        if (src.charAt(pos) == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
            pos += 2;
            int digitsStart = pos;
            while (pos < end && (Character.digit(src.charAt(pos), 16) >= 0 || src.charAt(pos) == '_')) {
                pos++;
            }
            String digits = src.substring(digitsStart, pos).replace("_", "");
            if (digits.isEmpty() || digits.length() > 16) {
                throw new CompileError("invalid hexadecimal literal", start);
            }
            long value = Long.parseUnsignedLong(digits, 16);
            return integral(start, value, digits.length() > 8 || value > Integer.MAX_VALUE);
        }
        boolean real = false;
        digits();
        if (pos < end && src.charAt(pos) == '.' && Character.isDigit(peek(1))) {
            real = true;
            pos++;
            digits();
        }
        if (pos < end && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int save = pos;
            pos++;
            if (pos < end && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
                pos++;
            }
            if (pos < end && Character.isDigit(src.charAt(pos))) {
                real = true;
                digits();
            } else {
                pos = save;
            }
        }
        String literal = src.substring(start, pos).replace("_", "");
        char suffix = pos < end ? Character.toLowerCase(src.charAt(pos)) : '\0';
        switch (suffix) {
            case 'd', 'f' -> {
                pos++;
                return token(Token.Kind.NUMBER, start, Double.parseDouble(literal));
            }
            case 'm' -> throw new CompileError("decimal literals are not supported; use a double", start);
            case 'u' -> throw new CompileError("unsigned literals are not supported", start);
            case 'l' -> {
                pos++;
                if (real) {
                    throw new CompileError("a real literal cannot have the suffix 'L'", start);
                }
                return integral(start, parseIntegral(literal, start), true);
            }
            default -> {
                if (Character.isLetter(suffix) || suffix == '_') {
                    throw new CompileError("invalid numeric literal", start);
                }
            }
        }
        if (real) {
            return token(Token.Kind.NUMBER, start, Double.parseDouble(literal));
        }
        long value = parseIntegral(literal, start);
        return integral(start, value, value > Integer.MAX_VALUE);
    }

    private Token integral(int start, long value, boolean isLong) {
        return token(Token.Kind.NUMBER, start, isLong ? (Object) value : (Object) (int) value);
    }

    private static long parseIntegral(String digits, int start) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new CompileError("integral constant is too large", start);
        }
    }

    private void digits() {
        while (pos < end && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
            pos++;
        }
    }
}
