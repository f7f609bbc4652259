package io.gatehouse.config;

import java.util.Objects;

/**
 * A named value ({@code named values/<id>/namedValueInformation.json}), substituted for {@code {{name}}} in policy
 * documents before they are parsed, as APIM.
 *
 * @param id          the id: its folder name
 * @param displayName the name used in {@code {{...}}} placeholders
 * @param value       the value
 * @param secret      whether the value is secret: it is never logged or shown
 */
public record NamedValue(String id, String displayName, String value, boolean secret) {

    /**
     * Creates a named value.
     *
     * @param id          id
     * @param displayName display name
     * @param value       value
     * @param secret      whether secret
     */
    public NamedValue {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return "NamedValue[id=" + id + ", displayName=" + displayName + ", value=" + (secret ? "***" : value)
                + ", secret=" + secret + "]";
    }
}
