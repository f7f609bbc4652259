package io.gatehouse.policy.expressions;

/** C#'s {@code StringComparison}; culture-sensitive comparisons compare ordinally here. */
enum StringComparison {
    CURRENT_CULTURE("CurrentCulture", false),
    CURRENT_CULTURE_IGNORE_CASE("CurrentCultureIgnoreCase", true),
    INVARIANT_CULTURE("InvariantCulture", false),
    INVARIANT_CULTURE_IGNORE_CASE("InvariantCultureIgnoreCase", true),
    ORDINAL("Ordinal", false),
    ORDINAL_IGNORE_CASE("OrdinalIgnoreCase", true);

    private final String csharpName;
    private final boolean ignoreCase;

    StringComparison(String csharpName, boolean ignoreCase) {
        this.csharpName = csharpName;
        this.ignoreCase = ignoreCase;
    }

    boolean ignoreCase() {
        return ignoreCase;
    }

    static StringComparison named(String name) {
        for (StringComparison c : values()) {
            if (c.csharpName.equals(name)) {
                return c;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return csharpName;
    }
}
