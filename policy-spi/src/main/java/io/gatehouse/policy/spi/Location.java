package io.gatehouse.policy.spi;

/**
 * Where an element stands in the configuration, for error messages: {@code apis/echo/policy.xml:12:9}.
 *
 * @param file   the file, relative to the configuration root (for example {@code apis/echo/policy.xml})
 * @param line   the 1-based line, or 0 when unknown
 * @param column the 1-based column, or 0 when unknown
 */
public record Location(String file, int line, int column) {

    /**
     * Creates a location.
     *
     * @param file   the file, never {@code null}
     * @param line   the line, or 0
     * @param column the column, or 0
     */
    public Location {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
    }

    @Override
    public String toString() {
        if (line <= 0) {
            return file;
        }
        return column <= 0 ? file + ":" + line : file + ":" + line + ":" + column;
    }
}
