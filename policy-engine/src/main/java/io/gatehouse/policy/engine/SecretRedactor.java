package io.gatehouse.policy.engine;

import java.util.Comparator;
import java.util.List;

/**
 * Masks the values of secret named values in text that is about to be logged. Named values are substituted into
 * policy documents before they are parsed, so an expression's source, and a failure message quoting it, can contain
 * a secret; nothing that reaches the log may.
 */
final class SecretRedactor {

    static final SecretRedactor NONE = new SecretRedactor(List.of());

    private final List<String> secrets;

    SecretRedactor(List<String> secrets) {
        // Longest first, so a secret containing another is masked whole.
        this.secrets = secrets.stream()
                .filter(s -> s.length() >= 3)
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
    }

    String redact(String text) {
        if (text == null) {
            return null;
        }
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, "***");
        }
        return result;
    }
}
