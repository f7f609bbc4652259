package io.gatehouse.config;

import java.util.Objects;

/**
 * One problem found in a configuration: where it is and what is wrong.
 *
 * @param file    the file, relative to the configuration root, or a description of the source
 * @param line    1-based line, or 0 when the format gives none
 * @param column  1-based column, or 0
 * @param element the element or field concerned (for example {@code rate-limit} or {@code properties.path}), or
 *                an empty string
 * @param message what is wrong, for the person who edits the file; never a secret
 */
public record ConfigProblem(String file, int line, int column, String element, String message) {

    /**
     * Creates a problem.
     *
     * @param file    file
     * @param line    line
     * @param column  column
     * @param element element
     * @param message message
     */
    public ConfigProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(element, "element");
        Objects.requireNonNull(message, "message");
    }

    /**
     * A problem with a whole file.
     *
     * @param file    file
     * @param message message
     * @return the problem
     */
    public static ConfigProblem of(String file, String message) {
        return new ConfigProblem(file, 0, 0, "", message);
    }

    /**
     * Formats the problem as {@code file:line:column: element: message}, leaving out what is unknown.
     *
     * @return the formatted problem
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        sb.append(": ");
        if (!element.isEmpty()) {
            sb.append('<').append(element).append(">: ");
        }
        return sb.append(message).toString();
    }
}
