package io.gatehouse.policy.engine;

import java.util.Map;
import java.util.Objects;

/**
 * How policy documents are compiled.
 *
 * @param unknownElements what an element no provider knows does
 * @param settings        the {@code policy.*} settings, readable by providers through
 *                        {@link io.gatehouse.policy.spi.CompileContext#setting(String)}
 */
public record CompilerOptions(UnknownElements unknownElements, Map<String, String> settings) {

    /** Refuse unknown elements; no settings. */
    public static final CompilerOptions DEFAULT = new CompilerOptions(UnknownElements.REFUSE, Map.of());

    /** Validates and copies. */
    public CompilerOptions {
        Objects.requireNonNull(unknownElements, "unknownElements");
        settings = Map.copyOf(settings);
    }

    /** What to do with an element no provider knows ({@code policy.unknown-elements}). */
    public enum UnknownElements {
        /** Refuse the snapshot, naming the element, file and line (the default). */
        REFUSE,
        /** Skip the element with one warning, as APIM's lenient gateways do. */
        SKIP
    }
}
