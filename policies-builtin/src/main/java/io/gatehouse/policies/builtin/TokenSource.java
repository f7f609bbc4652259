package io.gatehouse.policies.builtin;

import java.util.Locale;
import java.util.Optional;

import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Value;

/** Where {@code validate-jwt} finds the token: a header, a query parameter or an expression. */
sealed interface TokenSource {

    /**
     * The token's text.
     *
     * @param context the exchange
     * @return the token, or empty when the request carries none (or none with the required scheme)
     * @throws PolicyException if a {@code token-value} expression fails
     */
    Optional<String> token(PolicyContext context) throws PolicyException;

    /**
     * A header. As APIM, a scheme before the token ({@code Bearer eyJ...}) is stripped; with {@code require-scheme}
     * the header must use that scheme (compared without regard to case, as HTTP schemes are).
     */
    record Header(String name, Optional<String> requiredScheme) implements TokenSource {
        @Override
        public Optional<String> token(PolicyContext context) {
            Optional<String> value = context.request().headers().first(name).map(String::trim).filter(v -> !v.isEmpty());
            if (value.isEmpty()) {
                return Optional.empty();
            }
            String v = value.get();
            int space = v.indexOf(' ');
            String scheme = space < 0 ? "" : v.substring(0, space);
            String token = space < 0 ? v : v.substring(space + 1).trim();
            if (requiredScheme.isPresent()
                    && !scheme.toLowerCase(Locale.ROOT).equals(requiredScheme.get().toLowerCase(Locale.ROOT))) {
                return Optional.empty();
            }
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        }

        @Override
        public String toString() {
            return "header " + name + requiredScheme.map(s -> " (" + s + ")").orElse("");
        }
    }

    /** A query parameter. */
    record Query(String name) implements TokenSource {
        @Override
        public Optional<String> token(PolicyContext context) {
            return context.request().query().first(name).map(String::trim).filter(v -> !v.isEmpty());
        }

        @Override
        public String toString() {
            return "query parameter " + name;
        }
    }

    /** {@code token-value}: a literal or an expression. */
    record Expression(Value value) implements TokenSource {
        @Override
        public Optional<String> token(PolicyContext context) throws PolicyException {
            String v = value.evaluateString(context);
            return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
        }

        @Override
        public String toString() {
            return "token-value";
        }
    }
}
