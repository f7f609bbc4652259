package io.gatehouse.policy.expressions;

import java.util.List;

import io.gatehouse.policy.spi.NameValues;

/** Names and values expressions may read but not change: every change fails, saying what cannot be changed. */
interface ReadOnlyNameValues extends NameValues {

    /**
     * Why a change is refused.
     *
     * @return such as {@code a token's claims are read-only}
     */
    String readOnlyMessage();

    @Override
    default void set(String name, String value) {
        throw readOnly();
    }

    @Override
    default void set(String name, List<String> values) {
        throw readOnly();
    }

    @Override
    default void add(String name, String value) {
        throw readOnly();
    }

    @Override
    default void remove(String name) {
        throw readOnly();
    }

    private UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException(readOnlyMessage());
    }
}
