package io.gatehouse.policy.spi;

/**
 * Severity of a {@link PolicyContext#trace trace} message, as APIM's {@code trace} policy.
 */
public enum TraceSeverity {
    /** Detailed diagnostics. */
    VERBOSE,
    /** Normal information. */
    INFORMATION,
    /** Something went wrong. */
    ERROR
}
