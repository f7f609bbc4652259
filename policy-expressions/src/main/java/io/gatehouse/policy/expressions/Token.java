package io.gatehouse.policy.expressions;

/**
 * One token of an expression.
 *
 * @param kind  what it is
 * @param text  the source text of the token (for punctuation and identifiers, the token itself)
 * @param value the literal value: {@code String}, {@code Integer}, {@code Long}, {@code Double}, or for an
 *              interpolated string a {@code List} of {@code String} and {@link Hole} parts
 * @param start offset of the first character in the expression text
 * @param end   offset after the last character
 */
record Token(Kind kind, String text, Object value, int start, int end) {

    /** Token kinds. */
    enum Kind {
        IDENTIFIER, STRING, NUMBER, INTERPOLATED, PUNCTUATION, END
    }

    /**
     * An expression hole of an interpolated string: the text between the braces.
     *
     * @param start offset of the first character of the hole's expression
     * @param end   offset of the closing brace
     */
    record Hole(int start, int end) {
    }

    boolean is(String punctuation) {
        return kind == Kind.PUNCTUATION && text.equals(punctuation);
    }

    boolean isWord(String word) {
        return kind == Kind.IDENTIFIER && text.equals(word);
    }

    /** How an error message names this token. */
    String describe() {
        if (kind == Kind.END) {
            return "end of input";
        }
        String t = text.length() > 24 ? text.substring(0, 21) + "..." : text;
        return "'" + t.replace("\n", "\\n") + "'";
    }
}
