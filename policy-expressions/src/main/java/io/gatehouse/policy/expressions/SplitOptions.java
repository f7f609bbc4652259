package io.gatehouse.policy.expressions;

/** C#'s {@code StringSplitOptions}. */
enum SplitOptions {
    NONE("None"),
    REMOVE_EMPTY_ENTRIES("RemoveEmptyEntries"),
    TRIM_ENTRIES("TrimEntries");

    private final String csharpName;

    SplitOptions(String csharpName) {
        this.csharpName = csharpName;
    }

    static SplitOptions named(String name) {
        for (SplitOptions o : values()) {
            if (o.csharpName.equals(name)) {
                return o;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return csharpName;
    }
}
