package io.gatehouse.policy.spi;

/**
 * The version of this policy API.
 *
 * <p>A provider reports the major version it was compiled against from {@link PolicyProvider#spiVersion()} by
 * returning {@link #MAJOR}: because {@code MAJOR} is a compile-time constant, the value is baked into the provider's
 * class file, so the gateway can refuse a plugin built for an incompatible major version with a clear message
 * instead of failing later with a {@link LinkageError}. Minor versions only add, so any minor of the same major
 * loads.
 */
public final class SpiVersion {
    /** Incremented when a change breaks compiled plugins. */
    public static final int MAJOR = 1;
    /** Incremented when types or default methods are added compatibly. */
    public static final int MINOR = 3;

    private SpiVersion() {
    }
}
