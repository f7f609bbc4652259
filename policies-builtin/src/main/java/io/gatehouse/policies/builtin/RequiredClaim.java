package io.gatehouse.policies.builtin;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One {@code required-claims/claim}: the token must have claim {@code name} and, when values are given, all of them
 * ({@code match="all"}, the default) or at least one ({@code match="any"}) among its values. With a
 * {@code separator}, a claim held as one string ({@code "read write"}) is split into values first, as APIM.
 */
record RequiredClaim(String name, boolean any, Optional<String> separator, List<String> values) {

    /** Whether the token's values of this claim satisfy it. */
    boolean matches(List<String> tokenValues) {
        List<String> present = tokenValues;
        if (separator.isPresent()) {
            present = new ArrayList<>();
            for (String v : tokenValues) {
                for (String part : v.split(java.util.regex.Pattern.quote(separator.get()), -1)) {
                    if (!part.isEmpty()) {
                        present.add(part);
                    }
                }
            }
        }
        if (values.isEmpty()) {
            return true;
        }
        return any ? values.stream().anyMatch(present::contains) : present.containsAll(values);
    }
}
