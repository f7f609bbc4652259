package io.gatehouse.policy.expressions;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.gatehouse.policy.spi.Jwt;

/**
 * A token's claims as APIM's {@code Jwt.Claims}, an {@code IReadOnlyDictionary<string, string[]>}: names are
 * case-sensitive, {@code GetValueOrDefault} joins a claim's values with commas, the indexer gives them all. Read-only.
 *
 * @param jwt the token
 */
record ClaimsView(Jwt jwt) implements ReadOnlyNameValues {

    @Override
    public Optional<String> first(String name) {
        return all(name).stream().findFirst();
    }

    @Override
    public List<String> all(String name) {
        return jwt.claimValues(name).orElse(List.of());
    }

    /** The SPI's join, so a claim reads the same in an expression and in a policy; {@code []} joins to empty. */
    @Override
    public String valueOrDefault(String name, String defaultValue) {
        return jwt.claim(name, defaultValue);
    }

    @Override
    public boolean contains(String name) {
        return jwt.claims().containsKey(name);
    }

    @Override
    public Set<String> names() {
        return jwt.claims().keySet();
    }

    @Override
    public String readOnlyMessage() {
        return "a token's claims are read-only";
    }
}
